"""The rules kept in process follow their rows: a filing after a change to a
rule, a condition, an action or what an action names sees the change."""

from __future__ import annotations

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils.timezone import localdate

from automation.models import Action, Condition, Rule
from tests.automation.conftest import file, rule
from tests.factories import LicenceFactory
from tickets.models import SupportGroup

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _test_connection_kept():
    # A request's start closes old connections; the test's is in a transaction.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _filed(customer, licence, subject="Вопрос"):
    # As in a request: what is kept in process is used.
    request_started.send(sender=None)
    try:
        return file(customer, licence, subject)
    finally:
        request_finished.send(sender=None)


def test_a_filing_sees_rules_changed_after_the_last_one(customer, organisation):
    licence = LicenceFactory(organisation=organisation, purchased_on=localdate())
    assert _filed(customer, licence).tag_names == ""

    trigger = rule(
        Rule.Kind.TRIGGER,
        "Метка",
        event=Rule.Event.CREATED,
        actions=[{"kind": Action.Kind.ADD_TAGS, "value": "первая"}],
    )
    assert _filed(customer, licence).tag_names == "первая"

    Condition.objects.create(
        rule=trigger,
        field=Condition.Field.SUBJECT,
        operator=Condition.Operator.CONTAINS,
        value="vpn",
    )
    assert _filed(customer, licence).tag_names == ""
    assert _filed(customer, licence, "VPN").tag_names == "первая"

    action = trigger.actions.get()
    action.value = "вторая"
    action.save()
    assert _filed(customer, licence, "VPN").tag_names == "вторая"

    trigger.is_active = False
    trigger.save()
    assert _filed(customer, licence, "VPN").tag_names == ""


def test_a_deleted_group_breaks_a_cached_rule(customer, organisation) -> None:
    licence = LicenceFactory(organisation=organisation, purchased_on=localdate())
    group = SupportGroup.objects.create(name="Временная")
    routing = rule(
        Rule.Kind.ROUTING,
        "Во временную",
        actions=[{"kind": Action.Kind.SET_GROUP, "group": group}],
    )
    assert _filed(customer, licence).group == group

    # Emptied by the database (SET_NULL), not by saving the action.
    group.delete()
    ticket = _filed(customer, licence)

    assert ticket.group is None
    routing.refresh_from_db()
    assert routing.problem
