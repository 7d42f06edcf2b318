"""Erasure: after `anonymise_person` no trace of the person's name, address
or phone is left in any text column of any table nor in the search index,
while the organisation's tickets, their history and the figures stay."""

from __future__ import annotations

import dataclasses
import datetime

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps
from django.contrib.auth import SESSION_KEY
from django.core.files.storage import default_storage
from django.db import models
from django.db.models import Q
from django.db.models.functions import Cast
from django.utils.timezone import now

from accounts.models import AccessRequest, AccountEvent, Consent, User
from outbox.models import OutgoingEmail
from privacy.services import PrivacyError, anonymise_person, erased_email
from tests.privacy.conftest import CHAT_ID, EMAIL, NAME, PHONE
from tickets.dashboard.figures import build
from tickets.models import (
    Attachment,
    InboundEmail,
    Message,
    TelegramLink,
    TelegramUpdate,
    Ticket,
    TicketEvent,
)
from tickets.models.telegram import OutgoingTelegramMessage

pytestmark = pytest.mark.django_db(transaction=True)

# Her name whole and word by word, declined as a colleague wrote it, her
# address, her phone as stored and as typed.
TRACES = [
    NAME,
    "Евлампия",
    "Подберёзкин",
    EMAIL,
    "evlampia",
    PHONE,
    "9161234567",
    "916 123-45-67",
    "916 123 45 67",
]


def traces_in_database(needles: list[str]) -> list[tuple[str, str, object]]:
    """Every (table, column, row) whose text holds one of the needles:
    every model, every character, text and JSON column, no exception."""
    found = []
    for model in apps.get_models():
        if not model._meta.managed or model._meta.proxy:
            continue
        for field in model._meta.local_concrete_fields:
            if not isinstance(
                field, models.CharField | models.TextField | models.JSONField
            ):
                continue
            text = model._base_manager.annotate(
                _text=Cast(field.attname, models.TextField())
            )
            match = Q()
            for needle in needles:
                match |= Q(_text__icontains=needle)
            for pk in text.filter(match).values_list("pk", flat=True):
                found.append((model._meta.db_table, field.attname, pk))
    return found


def _organisation_facts(organisation) -> dict[str, object]:
    tickets = Ticket.objects.filter(organisation=organisation)
    return {
        "tickets": list(
            tickets.order_by("pk").values_list(
                "pk", "reference", "status", "priority", "channel", "contact_id"
            )
        ),
        "messages": Message.objects.filter(ticket__in=tickets).count(),
        "events": list(
            TicketEvent.objects.filter(ticket__in=tickets)
            .order_by("pk")
            .values_list("pk", "kind", "actor_id")
        ),
        "attachments": Attachment.objects.filter(message__ticket__in=tickets).count(),
    }


def _figures(at: datetime.datetime):
    return dataclasses.replace(build(at), at=None)


def test_no_trace_of_her_is_left_and_the_organisation_keeps_everything(
    world, organisation, admin_user
) -> None:
    assert len(traces_in_database(TRACES)) > 20  # the world is full of her
    at = now()
    facts = _organisation_facts(organisation)
    figures = _figures(at)
    files = [world.attachment.file.name, world.inbound.raw.name]

    anonymise_person(world.person, by=admin_user, remove_attachments=True)

    assert traces_in_database(TRACES) == []
    for word in ("Подберёзкина", "Евлампия", EMAIL, "Евлампия Подберёзкина"):
        assert not Ticket.objects.search(word).exists(), word
    assert _organisation_facts(organisation) == facts
    assert _figures(at) == figures
    assert not any(default_storage.exists(name) for name in files)


def test_the_account_is_closed_and_the_tickets_stay_with_the_organisation(
    world, organisation, colleague, admin_user, active_licence
) -> None:
    person = world.person
    filed = world.tickets[0]

    anonymise_person(person, by=admin_user, remove_attachments=False)

    person.refresh_from_db()
    assert person.email == erased_email(person)
    assert not person.is_active
    assert not person.has_usable_password()
    assert str(person.phone) == ""
    assert person.full_name
    assert "Евлампия" not in person.full_name
    assert not EmailAddress.objects.filter(user=person).exists()
    assert not TelegramLink.objects.filter(chat_id=CHAT_ID).exists()
    assert not TelegramUpdate.objects.filter(chat_id=CHAT_ID).exists()
    assert not OutgoingTelegramMessage.objects.filter(chat_id=CHAT_ID).exists()
    filed.refresh_from_db()
    assert filed.organisation == organisation
    assert filed.contact == person
    assert filed.contact_email == erased_email(person)
    body = filed.messages.order_by("pk").first().body
    # Her data goes; the licence number and the rest of the text stay.
    assert active_licence.number in body
    assert "не активируется" in body
    assert filed.events.filter(actor=person).exists()
    # Without `remove_attachments` her file stays, its name kept.
    attachment = Attachment.objects.get(pk=world.attachment.pk)
    assert attachment.removed_at is None
    assert default_storage.exists(attachment.file.name)
    # A colleague's data in the ticket she was named in stays.
    assert colleague.email in world.colleague_ticket.messages.get().body
    world.inbound.refresh_from_db()
    assert world.inbound.raw_removed_at is not None
    assert not world.inbound.raw
    assert world.inbound.sender == erased_email(person)
    event = AccountEvent.objects.get(user=person, kind=AccountEvent.Kind.ERASED)
    assert event.by == admin_user
    assert Consent.objects.filter(access_request__email=erased_email(person)).get(
        ip_address=None
    )
    assert AccessRequest.objects.get().full_name == person.full_name


def test_her_files_go_only_when_asked_and_the_ticket_says_so(
    world, admin_user, client
) -> None:
    anonymise_person(world.person, by=admin_user, remove_attachments=True)

    attachment = Attachment.objects.get(pk=world.attachment.pk)
    assert attachment.removal == Attachment.Removal.ERASURE
    assert attachment.removed_at is not None
    assert not attachment.file
    # Support's file in her ticket is not hers: it stays.
    staff_file = Attachment.objects.get(pk=world.staff_attachment.pk)
    assert staff_file.removed_at is None
    assert default_storage.exists(staff_file.file.name)


def test_running_it_again_changes_nothing(world, admin_user) -> None:
    anonymise_person(world.person, by=admin_user, remove_attachments=True)
    rows = {
        model: list(model._base_manager.order_by("pk").values())
        for model in (User, Ticket, Message, Attachment, InboundEmail, OutgoingEmail)
    }

    anonymise_person(world.person, by=admin_user, remove_attachments=True)

    assert {
        model: list(model._base_manager.order_by("pk").values()) for model in rows
    } == rows
    assert (
        AccountEvent.objects.filter(
            user=world.person, kind=AccountEvent.Kind.ERASED
        ).count()
        == 1
    )


def test_her_session_ends(world, admin_user, client) -> None:
    client.force_login(world.person)

    anonymise_person(world.person, by=admin_user)

    assert SESSION_KEY not in client.session or client.get("/tickets/").status_code in (
        302,
        403,
    )
    assert client.get("/tickets/").status_code == 302


def test_staff_and_oneself_are_refused(world, admin_user, agent) -> None:
    with pytest.raises(PrivacyError):
        anonymise_person(agent, by=admin_user)
    with pytest.raises(PrivacyError):
        anonymise_person(world.person, by=world.person)
    assert User.objects.get(pk=agent.pk).email == agent.email


def test_a_failure_midway_changes_nothing(world, admin_user, monkeypatch) -> None:
    """Atomic: a sweep that breaks leaves every row and file as it was."""
    from privacy import services

    def broken(self):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services._Person, "sweep", broken)
    before = traces_in_database(TRACES)

    with pytest.raises(RuntimeError):
        anonymise_person(world.person, by=admin_user, remove_attachments=True)

    assert traces_in_database(TRACES) == before
    assert default_storage.exists(world.attachment.file.name)
    assert User.objects.get(pk=world.person.pk).email == EMAIL
