from __future__ import annotations

import pytest

from tests.auth import sign_in
from tests.factories import LicenceFactory

pytestmark = pytest.mark.django_db


def test_staff_change_priority_assignee_and_licence_with_history(
    client, agent, ticket, organisation
) -> None:
    other_licence = LicenceFactory(
        organisation=organisation, number="ALFA-0003-AAAA-0003"
    )
    sign_in(client, agent)

    client.post(
        f"/tickets/{ticket.reference}/properties/",
        {
            "priority": "critical",
            "category": ticket.category,
            "assignee": agent.pk,
            "licence": other_licence.pk,
        },
    )

    ticket.refresh_from_db()
    assert (ticket.priority, ticket.assignee, ticket.licence) == (
        "critical",
        agent,
        other_licence,
    )
    kinds = set(ticket.events.values_list("kind", flat=True))
    assert {"priority", "assignee", "licence"} <= kinds
    page = client.get(f"/tickets/{ticket.reference}/").content.decode()
    assert "Изменён приоритет" in page


def test_a_licence_of_another_organisation_is_refused(
    client, agent, ticket, other_organisation
) -> None:
    foreign = LicenceFactory(organisation=other_organisation)
    sign_in(client, agent)

    client.post(
        f"/tickets/{ticket.reference}/properties/",
        {
            "priority": ticket.priority,
            "category": ticket.category,
            "assignee": "",
            "licence": foreign.pk,
        },
    )

    ticket.refresh_from_db()
    assert ticket.licence != foreign


def test_customers_may_not(client, customer, ticket) -> None:
    client.force_login(customer)

    response = client.post(
        f"/tickets/{ticket.reference}/properties/",
        {
            "priority": "critical",
            "category": ticket.category,
            "licence": ticket.licence_id,
        },
    )

    assert response.status_code == 403
    ticket.refresh_from_db()
    assert ticket.priority == "high"


def test_staff_put_the_ticket_in_a_group_and_tag_it_in_one_save(
    client, agent, ticket
) -> None:
    from tickets.models import SupportGroup

    group = SupportGroup.objects.create(name="Вторая линия")
    sign_in(client, agent)
    page = client.get(f"/tickets/{ticket.reference}/").content.decode()
    assert "Вторая линия" in page

    def save(tags: str) -> None:
        client.post(
            f"/tickets/{ticket.reference}/properties/",
            {
                "priority": ticket.priority,
                "category": ticket.category,
                "assignee": "",
                "licence": ticket.licence_id,
                "group": group.pk,
                "tags": tags,
            },
        )

    save("VPN, обновление ,vpn")
    ticket.refresh_from_db()
    assert ticket.group == group
    assert ticket.tag_names == "vpn, обновление"
    assert sorted(ticket.tags.values_list("name", flat=True)) == ["vpn", "обновление"]

    save("обновление")
    ticket.refresh_from_db()
    assert ticket.tag_names == "обновление"
    assert list(ticket.tags.values_list("name", flat=True)) == ["обновление"]
    tag_events = ticket.events.filter(kind="tags").order_by("pk")
    assert [(e.old_value, e.new_value) for e in tag_events] == [
        ("", "vpn, обновление"),
        ("vpn, обновление", "обновление"),
    ]
    page = client.get(f"/tickets/{ticket.reference}/").content.decode()
    assert "Изменены метки" in page or "Tags changed" in page
    assert 'value="обновление"' in page


def test_the_queue_filters_by_group_tag_and_my_groups(
    client, agent, ticket, colleagues_ticket
) -> None:
    from tickets.models import SupportGroup
    from tickets.services import tag_ticket, update_ticket

    mine = SupportGroup.objects.create(name="Моя группа")
    mine.members.add(agent)
    other = SupportGroup.objects.create(name="Чужая группа")
    update_ticket(ticket, by=agent, group=mine)
    update_ticket(colleagues_ticket, by=agent, group=other)
    tag_ticket(colleagues_ticket, by=agent, add=["Резервное копирование"])
    sign_in(client, agent)

    def listed(query: str) -> set[str]:
        page = client.get(f"/staff/queue/?{query}").content.decode()
        return {t.reference for t in (ticket, colleagues_ticket) if t.reference in page}

    assert listed("view=my_groups") == {ticket.reference}
    assert listed(f"group={other.pk}") == {colleagues_ticket.reference}
    assert listed("tag=резервное-копирование") == {colleagues_ticket.reference}
    assert listed("group=none") == set()
    # Each row says its group and tags under the subject.
    page = client.get(f"/staff/queue/?group={other.pk}").content.decode()
    assert '<span class="row-meta">Чужая группа · резервное-копирование</span>' in page
