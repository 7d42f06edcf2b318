"""The queue's filter bar (active filters as removable chips) and its bulk bar
(only the chosen action's field, errors in words, the selection kept)."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest

from tickets.models import Ticket
from tickets.services import change_ticket_status, open_ticket

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("sla_targets")]

QUEUE = "/staff/queue/"
BULK = "/staff/queue/bulk/"


def _file(customer, licence, subject: str = "Вопрос", **options: object) -> Ticket:
    options.setdefault("category", Ticket.Category.OTHER)
    return open_ticket(
        contact=customer, licence=licence, subject=subject, description="d", **options
    )


def _chips(response) -> dict[str, dict[str, list[str]]]:
    """Each chip's text and the query its link leaves."""
    return {
        f"{chip.label}: {chip.value}": parse_qs(urlsplit(chip.remove_url).query)
        for chip in response.context["chips"]
    }


def test_active_filters_show_as_chips_by_their_labels(
    staff_client, customer, agent, active_licence
) -> None:
    _file(customer, active_licence)

    response = staff_client.get(
        QUEUE,
        {
            "view": "unassigned",
            "status": "new",
            "priority": "critical",
            "assignee": str(agent.pk),
            "organisation": "Альфа",
            "created_from": "2026-03-01",
            "channel": "",
            "after": "x_1",
        },
    )

    chips = _chips(response)
    assert list(chips) == [
        "Статус: Новая",
        "Приоритет: Критический",
        f"Исполнитель: {agent.full_name}",
        "Организация: Альфа",
        "Создана с: 01.03.2026",
    ]
    # Each link drops its own filter (and the page), keeps the others.
    assert chips["Приоритет: Критический"] == {
        "view": ["unassigned"],
        "status": ["new"],
        "assignee": [str(agent.pk)],
        "organisation": ["Альфа"],
        "created_from": ["2026-03-01"],
    }
    html = response.content.decode()
    assert '<ul class="filter-chips" aria-label="Активные фильтры">' in html
    assert "— убрать этот фильтр" in html
    # The form stays folded; its summary counts what is active.
    assert '<details class="filter-panel">' in html
    assert "<summary>Фильтры (5)</summary>" in html


def test_nobody_and_english_labels(staff_client, customer, active_licence) -> None:
    _file(customer, active_licence)
    staff_client.cookies["django_language"] = "en"

    response = staff_client.get(QUEUE, {"assignee": "none", "priority": "urgent"})

    # A value that is not valid is ignored by the queue, so no chip either.
    assert list(_chips(response)) == ["Assignee: nobody"]


def test_no_filters_no_chips(staff_client, customer, active_licence) -> None:
    _file(customer, active_licence)

    response = staff_client.get(QUEUE, {"view": "mine"})

    assert response.context["chips"] == []
    assert "filter-chips" not in response.content.decode()


def test_each_value_field_names_its_action(
    staff_client, customer, active_licence
) -> None:
    _file(customer, active_licence)

    html = staff_client.get(QUEUE).content.decode()

    bar = re.search(
        r'<form method="post" action="/staff/queue/bulk/".*?</form>', html, re.S
    )[0]
    for action, field in (
        ("assign", "assignee"),
        ("status", "status"),
        ("priority", "priority"),
        ("merge", "into"),
        ("group", "group"),
        ("tag", "tags"),
    ):
        assert re.search(
            rf'<div class="field" data-bulk-action="{action}">\s*'
            rf'<label for="bulk_{field}">',
            bar,
        ), action
    # The bar comes before the rows, so it is at hand when rows are ticked.
    assert html.index('id="bulk-form"') < html.index(
        '<table class="table queue-table">'
    )


def _bulk(client, data: dict, next_url: str = f"{QUEUE}?view=open&priority=normal"):
    return client.post(BULK, {"next": next_url, **data})


def _summary(html: str) -> list[str]:
    summary = re.search(r'<div class="error-summary".*?</ul>', html, re.S)
    assert summary, "no error summary"
    return [
        unescape(re.sub(r"<[^>]+>", "", item)).strip()
        for item in re.findall(r"<li>(.*?)</li>", summary[0], re.S)
    ]


def test_no_ticket_chosen_says_so_in_words(
    staff_client, customer, active_licence
) -> None:
    _file(customer, active_licence)

    response = _bulk(staff_client, {"action": "status", "status": "waiting"})

    assert response.status_code == 400
    assert _summary(response.content.decode()) == [
        "Заявки: Выберите хотя бы одну заявку: отметьте её в списке."
    ]


def test_no_assignee_chosen_keeps_the_selection_and_the_page(
    staff_client, customer, active_licence
) -> None:
    first = _file(customer, active_licence, "1")
    second = _file(customer, active_licence, "2")
    other = _file(customer, active_licence, "3", priority=Ticket.Priority.HIGH)

    response = _bulk(
        staff_client,
        {"tickets": [first.reference, second.reference], "action": "assign"},
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert _summary(html) == ["Исполнитель: Выберите, кому назначить заявки."]
    for ticket in (first, second):
        assert (
            f'value="{ticket.reference}" form="bulk-form" aria-label="Выбрать {ticket.reference}" checked>'
            in html
        )
    # The page it came from: the filter kept, the other priority not listed.
    assert other.reference not in html
    assert '<option value="assign" selected>' in html
    assert 'name="next" value="/staff/queue/?view=open&amp;priority=normal"' in html
    # Shown at the bulk form's address: every link and GET form names the queue.
    assert 'href="?' not in html
    assert 'action="?' not in html
    assert '<a href="/staff/queue/?view=open&amp;priority=normal"' in html
    assert 'data-page-url="/staff/queue/?view=open&amp;priority=normal"' in html
    first.refresh_from_db()
    assert first.assignee is None


@pytest.mark.parametrize(
    ("action", "error"),
    [
        ("", "Действие: Выберите, что сделать с выбранными заявками."),
        ("status", "Статус: Выберите статус для заявок."),
        ("priority", "Приоритет: Выберите приоритет для заявок."),
        ("merge", "Объединить с: Введите номер заявки, с которой их объединить."),
        ("group", "Группа: Выберите группу, в которую перенести заявки."),
        ("tag", "Метки: Введите метки через запятую."),
    ],
)
def test_each_missing_value_in_words(
    staff_client, customer, active_licence, action, error
) -> None:
    ticket = _file(customer, active_licence)

    response = _bulk(staff_client, {"tickets": [ticket.reference], "action": action})

    assert _summary(response.content.decode()) == [error]


def test_a_typed_reference_is_kept(staff_client, customer, active_licence) -> None:
    ticket = _file(customer, active_licence)

    response = _bulk(
        staff_client,
        {"tickets": [ticket.reference], "action": "merge", "into": "HD-1999-000001"},
    )

    html = response.content.decode()
    assert _summary(html) == ["Объединить с: Заявки HD-1999-000001 нет."]
    assert 'value="HD-1999-000001"' in html


def test_nothing_changed_says_why(
    staff_client, customer, agent, active_licence
) -> None:
    tickets = [_file(customer, active_licence, str(n)) for n in range(3)]
    for ticket in tickets:
        change_ticket_status(ticket, to=Ticket.Status.CLOSED, by=agent)

    response = _bulk(
        staff_client,
        {
            "tickets": [t.reference for t in tickets],
            "action": "status",
            "status": "new",
        },
    )

    assert response.status_code == 302
    texts = [str(m) for m in staff_client.get(response["Location"]).context["messages"]]
    assert texts[0] == "Ни одна из 3 выбранных заявок не изменена:"
    assert texts[1:] == [
        f"{t.reference}: Заявка в статусе «Закрыта» не может стать «Новая»."
        for t in tickets
    ]


def test_nothing_to_change_says_so(staff_client, customer, active_licence) -> None:
    ticket = _file(customer, active_licence)

    response = _bulk(
        staff_client,
        {"tickets": [ticket.reference], "action": "priority", "priority": "normal"},
    )

    [message] = staff_client.get(response["Location"]).context["messages"]
    assert message.level_tag == "warning"
    assert str(message) == "Менять нечего: 1 выбранная заявка уже такая, как нужно."


def test_bulk_moves_to_a_group_and_adds_tags(
    staff_client, customer, active_licence
) -> None:
    from tickets.models import SupportGroup

    group = SupportGroup.objects.create(name="Вторая линия")
    tickets = [_file(customer, active_licence) for _ in range(2)]
    chosen = [t.reference for t in tickets]

    _bulk(staff_client, {"tickets": chosen, "action": "group", "group": group.pk})
    _bulk(staff_client, {"tickets": chosen, "action": "tag", "tags": "VPN, сбой"})

    for ticket in tickets:
        ticket.refresh_from_db()
        assert ticket.group == group
        assert ticket.tag_names == "vpn, сбой"
