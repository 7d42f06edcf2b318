"""The staff list, SLA targets and canned responses are cached between
requests and forgotten when a row behind them changes (tickets.cached_lists).

Transactional: the cache learns of a change after its commit.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils.timezone import now

from tests.auth import sign_in
from tests.factories import UserFactory
from tickets import cached_lists
from tickets.models import CannedResponse, SavedFilter, SlaTarget

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("sla_targets"),
]

QUEUE = "/staff/queue/"


def _tables_read(client, url: str) -> str:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return " ".join(query["sql"] for query in captured.captured_queries)


def test_a_second_staff_ticket_page_reads_none_of_the_lists(client, agent, ticket):
    CannedResponse.objects.create(title="Срок поддержки", body_ru="Текст")
    sign_in(client, agent)
    first = _tables_read(client, ticket.get_absolute_url())

    second = _tables_read(client, ticket.get_absolute_url())

    for table in ("tickets_slatarget", "tickets_cannedresponse"):
        assert table in first
        assert table not in second
    staff_list = 'WHERE ("accounts_user"."is_active" AND "accounts_user"."is_staff")'
    assert staff_list in first
    assert staff_list not in second


def test_a_new_staff_member_is_in_the_assignee_filter_on_the_next_request(
    client, agent
) -> None:
    sign_in(client, agent)
    assert "Пётр Новиков" not in client.get(QUEUE).content.decode()

    UserFactory(email="new@support.example", full_name="Пётр Новиков", is_staff=True)

    assert "Пётр Новиков" in client.get(QUEUE).content.decode()


def test_a_deactivated_or_renamed_staff_member_changes_the_lists(client, agent):
    other = UserFactory(email="o@support.example", full_name="Ольга", is_staff=True)
    sign_in(client, agent)
    assert "Ольга" in client.get(QUEUE).content.decode()

    other.full_name = "Ольга Петрова"
    other.save()
    assert "Ольга Петрова" in client.get(QUEUE).content.decode()

    other.is_active = False
    other.save()
    assert "Ольга" not in client.get(QUEUE).content.decode()


def test_signing_in_keeps_the_staff_list(agent) -> None:
    cached_lists.staff_choices()

    agent.last_login = now()
    agent.save(update_fields=["last_login"])

    with CaptureQueriesContext(connection) as captured:
        assert (str(agent.pk), agent.full_name) in cached_lists.staff_choices()
    assert len(captured) == 0


def test_a_canned_response_counts_on_the_next_ticket_page(client, agent, ticket):
    sign_in(client, agent)
    client.get(ticket.get_absolute_url())

    response = CannedResponse.objects.create(title="Срок поддержки", body_ru="Т")
    assert "Срок поддержки" in client.get(ticket.get_absolute_url()).content.decode()

    response.is_active = False
    response.save()
    assert (
        "Срок поддержки" not in client.get(ticket.get_absolute_url()).content.decode()
    )


def test_a_changed_sla_target_counts_at_once() -> None:
    assert cached_lists.sla_targets_by_priority()["high"].resolution_hours != 7

    SlaTarget.objects.filter(priority="high").get().delete()
    assert "high" not in cached_lists.sla_targets_by_priority()

    SlaTarget.objects.create(
        priority="high", first_response_hours=1, resolution_hours=Decimal(7)
    )
    assert cached_lists.sla_targets_by_priority()["high"].resolution_hours == 7


def test_a_change_rolled_back_is_not_in_the_list(agent) -> None:
    before = cached_lists.staff_choices()

    with transaction.atomic():
        agent.full_name = "Переименован"
        agent.save()
        assert (str(agent.pk), "Переименован") in cached_lists.staff_choices()
        transaction.set_rollback(True)

    assert cached_lists.staff_choices() == before


def test_the_cached_queue_filters_show_what_each_request_sent(client, agent):
    sign_in(client, agent)

    high = client.get(QUEUE, {"priority": "high", "organisation": "Ромашка"})
    low = client.get(QUEUE, {"priority": "low"})
    again = client.get(QUEUE, {"priority": "high", "organisation": "Ромашка"})

    assert '<option value="high" selected>' in high.content.decode()
    assert 'value="Ромашка"' in high.content.decode()
    assert '<option value="low" selected>' in low.content.decode()
    assert 'value="Ромашка"' not in low.content.decode()
    assert '<option value="high" selected>' not in low.content.decode()
    assert again.content.decode().count('value="Ромашка"') == 1


def test_the_cached_queue_forms_follow_the_language(client, agent) -> None:
    sign_in(client, agent)
    assert ">Категория</label>" in client.get(QUEUE).content.decode()

    client.cookies["django_language"] = "en"

    english = client.get(QUEUE).content.decode()
    assert ">Category</label>" in english
    assert "Категория" not in english


def test_saved_filters_are_read_once_and_follow_each_change(
    client, agent, supervisor
) -> None:
    SavedFilter.objects.create(owner=supervisor, name="Чужое", query="view=mine")
    sign_in(client, agent)
    client.get(QUEUE)
    assert "tickets_savedfilter" not in _tables_read(client, QUEUE)

    client.post("/staff/queue/filters/", {"name": "Срочное", "query": "priority=high"})
    page = client.get(QUEUE).content.decode()
    assert 'href="/staff/queue/?priority=high"' in page
    assert "Чужое" not in page

    saved = SavedFilter.objects.get(owner=agent)
    client.post(f"/staff/queue/filters/{saved.pk}/delete/")
    assert (
        'href="/staff/queue/?priority=high"' not in client.get(QUEUE).content.decode()
    )
