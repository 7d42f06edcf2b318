from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.utils.timezone import localdate

from accounts.models import Membership, User
from tests.factories import LicenceFactory, MembershipFactory, OrganisationFactory
from tickets.models import Ticket
from tickets.services import open_ticket

CORPUS = Path(__file__).parent / "corpus"
# The reference that the corpus's replies name; the fixture ticket gets it.
REFERENCE = "HD-2026-000123"


def corpus(name: str) -> bytes:
    return (CORPUS / name).read_bytes()


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def mail_ticket(customer, active_licence) -> Ticket:
    """The customer's ticket HD-2026-000123, which the corpus's replies answer."""
    ticket = open_ticket(
        contact=customer,
        licence=active_licence,
        subject="Служба не запускается",
        description="После обновления служба не стартует.",
        category=Ticket.Category.MALFUNCTION,
    )
    Ticket.objects.filter(pk=ticket.pk).update(reference=REFERENCE)
    ticket.refresh_from_db()
    return ticket


@pytest.fixture
def stranger_organisation(outsider) -> User:
    """The outsider's organisation has active support of its own."""
    LicenceFactory(
        organisation=outsider.membership.organisation, number="BETA-0001-BBBB-0001"
    )
    return outsider


@pytest.fixture
def lapsed_contact() -> User:
    organisation = OrganisationFactory(name="ООО «Гамма»")
    LicenceFactory(
        organisation=organisation,
        number="GAMM-0001-CCCC-0001",
        purchased_on=localdate() - datetime.timedelta(days=500),
    )
    return MembershipFactory(
        organisation=organisation,
        role=Membership.Role.MANAGER,
        user__email="lapsed@gamma.example",
    ).user


@pytest.fixture
def two_licence_contact() -> User:
    organisation = OrganisationFactory(name="АО «Дельта»")
    LicenceFactory(organisation=organisation, number="DELT-0001-DDDD-0001")
    LicenceFactory(organisation=organisation, number="DELT-0002-DDDD-0002")
    return MembershipFactory(
        organisation=organisation,
        role=Membership.Role.MANAGER,
        user__email="manager@delta.example",
    ).user


@pytest.fixture
def mail_world(
    mail_ticket,
    colleague,
    stranger_organisation,
    lapsed_contact,
    two_licence_contact,
    agent,
) -> Ticket:
    """Everyone the corpus writes as, and the ticket it answers."""
    return mail_ticket
