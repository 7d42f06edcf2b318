"""A supervisor builds a routing rule and a trigger in the admin, dry-runs
the trigger, and sees a new ticket routed and its group told."""

from __future__ import annotations

import pytest
from django.core import mail
from playwright.sync_api import expect

from accounts.models import StaffRole
from automation.models import Rule
from notifications.models import Notification
from tests.automation.conftest import file
from tests.browser.signing import sign_in
from tests.conftest import _staff
from tickets.models import SupportGroup, TicketEvent

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_supervisor_routes_vpn_tickets_to_the_network_team(
    page, customer, active_licence, agent
) -> None:
    supervisor = _staff("lead@support.example", StaffRole.SUPERVISOR)
    network = SupportGroup.objects.create(name="Сетевая группа")
    network.members.add(agent)
    # Yesterday's tickets, for the dry run to look at.
    file(customer, active_licence, "VPN не подключается")
    file(customer, active_licence, "Не печатает принтер")

    sign_in(page, supervisor.email, totp=True)

    # The routing rule: "VPN" in the subject → the network team.
    page.goto(page.url_for("/admin/automation/routingrule/add/"))
    page.locator("#id_name").fill("VPN — сетевой группе")
    page.locator("#id_conditions-0-field").select_option("subject")
    page.locator("#id_conditions-0-operator").select_option("contains")
    page.locator("#id_conditions-0-value").fill("vpn, впн")
    page.locator("#id_actions-0-kind").select_option("set_group")
    page.locator("#id_actions-0-group").select_option(label="Сетевая группа")
    page.locator("input[name=_save]").click()
    expect(page.locator(".messagelist")).to_contain_text("VPN — сетевой группе")

    # The trigger: a filed ticket in that group → tell the group.
    page.goto(page.url_for("/admin/automation/trigger/add/"))
    page.locator("#id_name").fill("Сетевой группе — о новой заявке")
    page.locator("#id_event").select_option("created")
    page.locator("#id_conditions-0-field").select_option("group")
    page.locator("#id_conditions-0-group").select_option(label="Сетевая группа")
    page.locator("#id_actions-0-kind").select_option("notify")
    page.locator("#id_actions-0-group").select_option(label="Сетевая группа")
    page.locator("#id_actions-0-value").fill("Новая заявка про VPN.")
    # A wrong code is refused in words and nothing typed is lost.
    page.locator("#actions-group .add-row a").click()
    page.locator("#id_actions-1-kind").select_option("set_priority")
    page.locator("#id_actions-1-value").fill("срочнейший")
    page.locator("input[name=_continue]").click()
    expect(page.locator(".errorlist")).to_contain_text("«срочнейший» — не из списка")
    expect(page.locator("#id_actions-0-value")).to_have_value("Новая заявка про VPN.")
    page.locator("#id_actions-1-value").fill("Высокий")
    page.locator("input[name=_continue]").click()
    expect(page.locator(".messagelist")).to_contain_text("Сетевой группе")

    # Its dry run over the latest tickets: none was in the group yet.
    page.get_by_role("link", name="Пробный прогон").click()
    expect(page.locator(".dry-run-result")).to_contain_text("0 из последних 2")
    trigger = Rule.objects.get(kind=Rule.Kind.TRIGGER)
    assert trigger.actions.get(kind="set_priority").value == "high"

    mail.outbox.clear()
    ticket = file(customer, active_licence, "Отваливается VPN каждые 5 минут")

    assert ticket.group == network
    assert ticket.priority == "high"
    assert [m.to for m in mail.outbox if "Сетевой группе" in m.subject] == [
        [agent.email]
    ]
    # And in the agent's list, under the rule's name.
    notice = Notification.objects.get(recipient=agent, kind=Notification.Kind.RULE)
    assert (notice.ticket, notice.title) == (ticket, "Сетевой группе — о новой заявке")
    page.goto(page.url_for(f"/tickets/{ticket.reference}/"))
    timeline = page.locator(".timeline-event")
    # The routing rule's change is in the history under its name; the
    # trigger's notice, which changed nothing on the ticket, has a record.
    expect(timeline.filter(has_text="VPN — сетевой группе")).to_have_count(1)
    expect(
        timeline.filter(has_text="Правило «Сетевой группе — о новой заявке»")
    ).to_have_count(1)
    assert ticket.events.filter(kind=TicketEvent.Kind.AUTOMATION).count() == 1
