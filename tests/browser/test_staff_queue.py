"""An agent filters the queue, takes a ticket, answers with a canned response and
sets it to waiting: the SLA clock shows paused."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from playwright.sync_api import expect

from schedule.models import CalendarYear
from tests.auth import current_totp_code
from tests.factories import PASSWORD
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
    page.goto(page.url_for("/accounts/login/"))
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form:has(input[name=password]) button[type=submit]").click()
    code = current_totp_code()
    page.locator("input[name=code]").fill(code)
    page.locator("form:has(input[name=code]) button[type=submit]").first.click()
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

    filters = page.locator("form.queue-filters")
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
    page.get_by_label("Вставить готовый ответ").select_option(label="Нужен журнал")
    expect(page.get_by_label("Сообщение")).to_have_value(
        "Здравствуйте, Анна Смирнова! Пришлите журнал сервера лицензии ALFA-0001-AAAA-0001."
    )
    page.get_by_label("Статус после ответа").select_option("waiting")
    page.get_by_role("button", name="Отправить").click()

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
    expect(page.locator("#keyboard-shortcuts")).to_have_attribute("open", "")
    _press_in_russian_layout(page, "Slash", ".")
    expect(page.locator("#queue-search")).to_be_focused()
