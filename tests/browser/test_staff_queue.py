"""An agent filters the queue, takes a ticket, answers with a canned response and
sets it to waiting: the SLA clock shows paused."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from playwright.sync_api import expect

from schedule.models import CalendarYear
from tests.browser.signing import sign_in
from tests.schedule.support import restore_shipped_schedule
from tickets.models import CannedResponse, Ticket
from tickets.services import open_ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def workspace_data() -> None:
    # A transactional test starts from a flushed database: put back what the
    # data migrations ship (support hours, the calendars, the SLA targets).
    if not CalendarYear.objects.exists():
        restore_shipped_schedule()
    importlib.import_module("tickets.migrations.0004_default_sla_targets").add_defaults(
        apps, None
    )


def _sign_in_as_staff(page, email: str) -> None:
    sign_in(page, email, totp=True)
    expect(page.get_by_role("button", name="Выйти")).to_be_visible()


def test_take_answer_with_a_canned_response_and_wait(
    page, workspace_data, customer, agent, active_licence, settings, tmp_path
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    urgent = open_ticket(
        contact=customer,
        licence=active_licence,
        subject="Сервер лицензий недоступен",
        description="Никто не может войти.",
        category=Ticket.Category.MALFUNCTION,
        priority=Ticket.Priority.CRITICAL,
    )
    open_ticket(
        contact=customer,
        licence=active_licence,
        subject="Как выгрузить отчёт?",
        description="Где кнопка?",
        category=Ticket.Category.CONFIGURATION,
        priority=Ticket.Priority.LOW,
    )
    CannedResponse.objects.create(
        title="Нужен журнал",
        body_ru="Здравствуйте, {customer_name}! Пришлите журнал сервера лицензии {licence_number}.",
        body_en="Hello {customer_name}, please send the server log.",
    )

    _sign_in_as_staff(page, agent.email)
    page.get_by_role("navigation", name="Главное меню").get_by_role(
        "link", name="Очередь"
    ).click()
    rows = page.locator("table.queue-table tbody tr")
    expect(rows).to_have_count(2)

    # The filters are folded into a bar.
    filters = page.locator("form.queue-filters")
    expect(filters).to_be_hidden()
    page.locator(".filter-panel summary").click()
    filters.get_by_label("Приоритет").select_option("critical")
    filters.get_by_role("button", name="Фильтр").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(urgent.reference)

    rows.first.get_by_role("button", name="Взять").click()
    expect(page.locator(".message-success")).to_contain_text(urgent.reference)
    expect(rows.first).to_contain_text(agent.full_name)

    rows.first.get_by_role("link", name=urgent.reference).click()
    expect(page.get_by_role("heading", name="Хронология SLA")).to_be_visible()
    # The insert script is deferred: choose only once it is listening.
    page.wait_for_load_state("load")
    page.get_by_label("Макрос или готовый ответ").select_option(label="Нужен журнал")
    expect(page.get_by_label("Сообщение")).to_have_value(
        "Здравствуйте, Анна Смирнова! Пришлите журнал сервера лицензии ALFA-0001-AAAA-0001."
    )
    page.get_by_text("Отправить и установить статус").click()
    page.get_by_role(
        "button", name="Отправить и установить: Ожидает ответа клиента"
    ).click()

    expect(page.locator(".sla-state .sla-paused")).to_have_text(
        "на паузе: ждём ответа клиента"
    )
    expect(page.locator(".sla-timeline .sla-waiting")).to_have_count(1)
    urgent.refresh_from_db()
    assert urgent.status == Ticket.Status.WAITING
    assert urgent.assignee == agent
    assert urgent.sla_due_at is None
    assert urgent.first_response_at is not None


def test_the_queue_works_from_the_keyboard(
    page, workspace_data, customer, agent, active_licence, settings, tmp_path
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    printer = open_ticket(
        contact=customer,
        licence=active_licence,
        subject="Принтер не печатает",
        description="Совсем.",
        category=Ticket.Category.MALFUNCTION,
    )
    open_ticket(
        contact=customer,
        licence=active_licence,
        subject="Вопрос о лицензии",
        description="Сколько мест?",
        category=Ticket.Category.LICENSING,
    )
    _sign_in_as_staff(page, agent.email)
    page.goto(page.url_for("/staff/queue/"))
    page.wait_for_load_state("load")

    page.keyboard.press("/")
    expect(page.locator("#queue-search")).to_be_focused()
    page.keyboard.type("принтер")
    page.keyboard.press("Enter")
    rows = page.locator("table.queue-table tbody tr")
    expect(rows).to_have_count(1)
    page.wait_for_load_state("load")

    page.keyboard.press("j")
    expect(rows.first).to_have_class("is-current")
    page.keyboard.press("t")
    expect(page.locator(".message-success")).to_contain_text(printer.reference)

    page.wait_for_load_state("load")
    page.keyboard.press("j")
    page.keyboard.press("o")
    expect(page.get_by_role("heading", name=printer.subject)).to_be_visible()
    page.wait_for_load_state("load")
    page.keyboard.press("r")
    expect(page.get_by_label("Сообщение")).to_be_focused()
    page.keyboard.type("Проверьте драйвер.")
    page.keyboard.press("Control+Enter")

    expect(page.locator(".message-success")).to_be_visible()
    printer.refresh_from_db()
    assert printer.assignee == agent
    assert printer.messages.filter(body="Проверьте драйвер.", author=agent).exists()


def _press_in_russian_layout(page, code: str, typed: str, shift: bool = False) -> None:
    # Playwright types in the US layout; a Russian one sends the same physical
    # key (`code`) with another character (`key`).
    page.evaluate(
        """([code, key, shift]) => (document.activeElement || document.body)
            .dispatchEvent(new KeyboardEvent("keydown",
                {code, key, shiftKey: shift, bubbles: true}))""",
        [code, typed, shift],
    )


def test_shortcuts_go_by_the_physical_key_in_the_russian_layout(
    page, workspace_data, customer, agent, active_licence
) -> None:
    for subject in ("Первая", "Вторая"):
        open_ticket(
            contact=customer,
            licence=active_licence,
            subject=subject,
            description="Текст.",
            category=Ticket.Category.OTHER,
        )
    _sign_in_as_staff(page, agent.email)
    page.goto(page.url_for("/staff/queue/"))
    page.wait_for_load_state("load")
    rows = page.locator("table.queue-table tbody tr")

    _press_in_russian_layout(page, "KeyJ", "о")
    expect(rows.nth(0)).to_have_class("is-current")
    _press_in_russian_layout(page, "KeyJ", "о")
    expect(rows.nth(1)).to_have_class("is-current")
    _press_in_russian_layout(page, "KeyK", "л")
    expect(rows.nth(0)).to_have_class("is-current")
    _press_in_russian_layout(page, "Slash", ",", shift=True)
    # The list of shortcuts is a modal dialog: the focus stays in it, Esc
    # closes it and gives the focus back.
    help = page.locator("#keyboard-shortcuts")
    expect(help).to_have_attribute("open", "")
    expect(help.get_by_role("button")).to_be_focused()
    for _ in range(3):
        page.keyboard.press("Tab")
        # The page behind is inert: the focus is in the dialog or has left
        # for the browser's own controls, never on the queue.
        assert page.evaluate(
            """() => document.activeElement === document.body
                || document.getElementById("keyboard-shortcuts")
                    .contains(document.activeElement)"""
        )
    page.keyboard.press("Escape")
    expect(help).not_to_have_attribute("open", "")
    _press_in_russian_layout(page, "Slash", ".")
    expect(page.locator("#queue-search")).to_be_focused()


def test_filters_show_as_chips_that_remove_themselves(
    page, workspace_data, customer, agent, active_licence
) -> None:
    urgent = open_ticket(
        contact=customer,
        licence=active_licence,
        subject="Срочно",
        description="Текст.",
        category=Ticket.Category.MALFUNCTION,
        priority=Ticket.Priority.CRITICAL,
    )
    open_ticket(
        contact=customer,
        licence=active_licence,
        subject="Не срочно",
        description="Текст.",
        category=Ticket.Category.OTHER,
        priority=Ticket.Priority.LOW,
    )
    _sign_in_as_staff(page, agent.email)
    page.goto(page.url_for("/staff/queue/"))
    rows = page.locator("table.queue-table tbody tr")
    expect(rows).to_have_count(2)

    page.get_by_text("Фильтры", exact=True).click()
    filters = page.locator("form.queue-filters")
    filters.get_by_label("Приоритет").select_option("critical")
    filters.get_by_label("Категория").select_option("malfunction")
    filters.get_by_role("button", name="Фильтр").click()

    chips = page.get_by_role("list", name="Активные фильтры")
    expect(chips.locator("a.chip")).to_have_text(
        [
            "Приоритет: Критический — убрать этот фильтр×",
            "Категория: Неисправность — убрать этот фильтр×",
        ]
    )
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(urgent.reference)
    # Folded again after filtering: the chips say what is on.
    expect(filters).to_be_hidden()

    chips.get_by_role("link", name="Приоритет: Критический").click()
    expect(chips.locator("a.chip")).to_have_count(1)
    expect(chips.locator("a.chip")).to_contain_text("Категория: Неисправность")
    expect(rows).to_have_count(1)
    chips.get_by_role("link", name="Категория: Неисправность").click()
    expect(page.get_by_role("list", name="Активные фильтры")).to_have_count(0)
    expect(rows).to_have_count(2)


def test_the_bulk_bar_appears_with_a_selection_and_shows_one_field(
    page, workspace_data, customer, agent, supervisor, active_licence
) -> None:
    tickets = [
        open_ticket(
            contact=customer,
            licence=active_licence,
            subject=subject,
            description="Текст.",
            category=Ticket.Category.OTHER,
        )
        for subject in ("Первая", "Вторая", "Третья")
    ]
    _sign_in_as_staff(page, agent.email)
    page.goto(page.url_for("/staff/queue/"))
    page.wait_for_load_state("load")
    bar = page.locator("#bulk-form")
    expect(bar).to_be_hidden()

    page.get_by_label(f"Выбрать {tickets[0].reference}").check()
    expect(bar).to_be_visible()
    expect(bar.locator("legend")).to_contain_text("выбрано: 1")
    # And from the keyboard, once the box has let go of the focus.
    page.locator("h1").click()
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("x")
    expect(bar.locator("legend")).to_contain_text("выбрано: 2")

    # Only the chosen action's field.
    expect(bar.get_by_label("Исполнитель")).to_be_hidden()
    bar.get_by_label("Действие").select_option("assign")
    expect(bar.get_by_label("Исполнитель")).to_be_visible()
    for other in ("Статус", "Приоритет", "Объединить с"):
        expect(bar.get_by_label(other)).to_be_hidden()

    # Sent without a value: the error in words, the selection kept.
    bar.get_by_role("button", name="Применить").click()
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("Выберите, кому назначить заявки.")
    expect(summary).to_be_focused()
    expect(page.get_by_label(f"Выбрать {tickets[0].reference}")).to_be_checked()
    expect(page.get_by_label(f"Выбрать {tickets[1].reference}")).to_be_checked()
    expect(page.get_by_label(f"Выбрать {tickets[2].reference}")).not_to_be_checked()
    expect(bar.get_by_label("Статус")).to_be_hidden()

    bar.get_by_label("Исполнитель").select_option(label=supervisor.full_name)
    bar.get_by_role("button", name="Применить").click()
    expect(page.locator(".message-success")).to_have_text("Изменены 2 заявки.")
    for ticket, assignee in zip(tickets, (supervisor, supervisor, None), strict=True):
        ticket.refresh_from_db()
        assert ticket.assignee == assignee


def test_a_notice_says_when_tickets_change_without_moving_rows(
    page, workspace_data, customer, agent, active_licence
) -> None:
    first = open_ticket(
        contact=customer,
        licence=active_licence,
        subject="Была",
        description="Текст.",
        category=Ticket.Category.OTHER,
    )
    _sign_in_as_staff(page, agent.email)
    page.goto(page.url_for("/staff/queue/"))
    page.wait_for_load_state("load")
    rows = page.locator("table.queue-table tbody tr")
    expect(rows).to_have_count(1)

    filed = open_ticket(
        contact=customer,
        licence=active_licence,
        subject="Пришла, пока агент смотрел",
        description="Текст.",
        category=Ticket.Category.OTHER,
        priority=Ticket.Priority.CRITICAL,
    )
    # The page polls every 15 s while it is looked at, and at once when it is
    # looked at again.
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")

    notice = page.locator(".queue-notice[role=status]")
    row_at = rows.first.bounding_box()["y"]
    expect(notice).to_contain_text("1 новая или изменённая заявка.")
    # Nothing moved under the pointer.
    assert rows.first.bounding_box()["y"] == row_at
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(first.reference)
    notice.get_by_role("button", name="Показать").click()
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text(filed.reference)


def test_the_queue_fits_a_phone_as_cards(
    page, workspace_data, customer, agent, active_licence
) -> None:
    open_ticket(
        contact=customer,
        licence=active_licence,
        subject="Очень длинная тема заявки, которая не должна растягивать страницу вбок",
        description="Текст.",
        category=Ticket.Category.OTHER,
    )
    page.set_viewport_size({"width": 390, "height": 844})
    _sign_in_as_staff(page, agent.email)
    page.goto(page.url_for("/staff/queue/?priority=normal"))
    page.wait_for_load_state("load")

    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    row = page.locator("table.queue-table tbody tr").first
    box = row.bounding_box()
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= 390
    take = row.get_by_role("button", name="Взять")
    take_box = take.bounding_box()
    # Big enough for a finger.
    assert take_box["height"] >= 24
    assert take_box["x"] + take_box["width"] <= 390
    take.click()
    expect(page.locator(".message-success")).to_be_visible()
