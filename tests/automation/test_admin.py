"""The rules in the admin: a broken rule says why, the dry run changes nothing."""

from __future__ import annotations

import pytest
from django.utils.timezone import localdate

from automation.models import Action, Condition, Rule, RuleRun
from tests.auth import sign_in
from tests.automation.conftest import file, rule
from tests.conftest import make_supervisor
from tests.factories import LicenceFactory
from tickets.models import SupportGroup, Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def supervisor_client(client):
    sign_in(client, make_supervisor())
    return client


def test_a_broken_rule_is_named_with_its_problem_in_its_list(
    supervisor_client, customer, organisation
) -> None:
    group = SupportGroup.objects.create(name="Удалённая")
    rule(
        Rule.Kind.TRIGGER,
        "В группу, которой нет",
        event=Rule.Event.CREATED,
        actions=[{"kind": Action.Kind.SET_GROUP, "group": group}],
    )
    group.delete()
    file(customer, LicenceFactory(organisation=organisation, purchased_on=localdate()))

    page = supervisor_client.get("/admin/automation/trigger/").content.decode()

    assert "«В группу, которой нет» пропущено" in page
    assert "больше нет" in page


def test_the_dry_run_lists_matches_and_changes_nothing(
    supervisor_client, customer, organisation
) -> None:
    licence = LicenceFactory(organisation=organisation, purchased_on=localdate())
    tickets = [file(customer, licence, f"VPN {n}") for n in range(3)]
    file(customer, licence, "Принтер")
    trigger = rule(
        Rule.Kind.TRIGGER,
        "Про VPN",
        event=Rule.Event.CREATED,
        conditions=[
            {
                "field": Condition.Field.SUBJECT,
                "operator": Condition.Operator.CONTAINS,
                "value": "vpn",
            }
        ],
        actions=[{"kind": Action.Kind.SET_PRIORITY, "value": "critical"}],
    )

    page = supervisor_client.get(
        f"/admin/automation/trigger/{trigger.pk}/dry-run/"
    ).content.decode()

    assert "Оно совпало бы с 3 из последних 4 заявок." in page
    for ticket in tickets:
        assert ticket.reference in page
    assert not Ticket.objects.filter(priority="critical").exists()
    assert not RuleRun.objects.exists()


def test_a_code_typed_as_its_label_is_stored_as_the_code(supervisor_client) -> None:
    response = supervisor_client.post(
        "/admin/automation/routingrule/add/",
        {
            "name": "Высокий для ЕГАИС",
            "position": 1,
            "is_active": "on",
            "match_all": "on",
            "conditions-TOTAL_FORMS": 1,
            "conditions-INITIAL_FORMS": 0,
            "conditions-0-field": "priority",
            "conditions-0-operator": "is",
            "conditions-0-value": "Низкий, normal",
            "actions-TOTAL_FORMS": 1,
            "actions-INITIAL_FORMS": 0,
            "actions-0-kind": "set_priority",
            "actions-0-value": "Высокий",
        },
    )

    assert response.status_code == 302
    made = Rule.objects.get()
    assert made.kind == Rule.Kind.ROUTING
    assert made.conditions.get().value == "low,normal"
    assert made.actions.get().value == "high"
