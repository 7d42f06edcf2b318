"""The staff composer in a browser: the kind as tabs that say who will read
it, a macro filling the text and Send, a screenshot pasted as a file."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.signing import sign_in
from tickets.models import Attachment, Macro, Ticket
from tickets.services import open_ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# A 1×1 PNG.
PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="


def _sign_in_as_staff(page, email: str) -> None:
    sign_in(page, email, totp=True)
    expect(page.get_by_role("button", name="Выйти")).to_be_visible()


def test_tabs_macro_paste_and_one_send(
    page, customer, agent, active_licence, settings, tmp_path
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    ticket = open_ticket(
        contact=customer,
        licence=active_licence,
        subject="Служба не стартует",
        description="d",
        category=Ticket.Category.MALFUNCTION,
    )
    Macro.objects.create(
        title="Ждём журнал",
        body_ru="{customer_name}, пришлите журнал.",
        status=Ticket.Status.WAITING,
        priority=Ticket.Priority.CRITICAL,
    )
    _sign_in_as_staff(page, agent.email)
    page.goto(page.url_for(ticket.get_absolute_url()))
    page.wait_for_load_state("load")
    composer = page.locator("form[data-composer]")

    # Reply by default, saying who will read it; a note turns amber at once.
    reply = page.get_by_role("radio", name="Ответить")
    expect(reply).to_be_checked()
    expect(page.get_by_text("Клиент и его коллеги в копии увидят это")).to_be_visible()
    reply.focus()
    page.keyboard.press("ArrowRight")
    expect(page.get_by_role("radio", name="Внутренняя заметка")).to_be_checked()
    expect(
        page.get_by_text("Видеть эту заметку будут только сотрудники")
    ).to_be_visible()
    expect(page.get_by_role("button", name="Добавить заметку")).to_be_visible()
    assert composer.evaluate("f => getComputedStyle(f).backgroundColor") == (
        "rgb(255, 243, 223)"
    )
    page.keyboard.press("ArrowLeft")
    expect(reply).to_be_checked()
    expect(
        page.get_by_text("Видеть эту заметку будут только сотрудники")
    ).to_be_hidden()

    # A macro fills the text and puts its status on Send.
    page.get_by_label("Макрос или готовый ответ").select_option(label="Ждём журнал")
    expect(page.get_by_label("Сообщение")).to_have_value(
        "Анна Смирнова, пришлите журнал."
    )
    send = page.locator("[data-send-main]")
    expect(send).to_have_attribute("value", "waiting")
    expect(send).to_contain_text("Ожидает ответа клиента")
    expect(page.get_by_text("приоритет: Критический")).to_be_visible()

    # A screenshot pasted (a file without a name of its own) joins the files.
    page.get_by_label("Сообщение").focus()
    page.evaluate(
        """png => {
            const bytes = Uint8Array.from(atob(png), c => c.charCodeAt(0));
            const data = new DataTransfer();
            data.items.add(new File([bytes], "image.png", { type: "image/png" }));
            const event = new ClipboardEvent("paste", {
                clipboardData: data, bubbles: true, cancelable: true
            });
            document.querySelector("textarea[name=body]").dispatchEvent(event);
        }""",
        PNG,
    )
    expect(page.locator("[data-chosen-files] li")).to_have_text(
        re.compile(r"^screenshot-\d{8}-\d{6}\.png$")
    )
    assert (
        page.evaluate("document.querySelector('input[name=attachments]').files.length")
        == 1
    )

    send.click()

    expect(page.locator(".kind-reply")).to_contain_text("пришлите журнал")
    ticket.refresh_from_db()
    assert (ticket.status, ticket.priority) == ("waiting", "critical")
    [attachment] = Attachment.objects.filter(
        message__ticket=ticket, message__kind="reply"
    )
    assert re.fullmatch(r"screenshot-\d{8}-\d{6}\.png", attachment.original_name)


def test_the_composer_works_without_javascript(
    browser, live_server, customer, agent, active_licence
) -> None:
    ticket = open_ticket(
        contact=customer,
        licence=active_licence,
        subject="Без скриптов",
        description="d",
        category=Ticket.Category.OTHER,
    )
    context = browser.new_context(locale="ru-RU", java_script_enabled=False)
    page = context.new_page()
    page.url_for = lambda path="/": f"{live_server.url}{path}"
    try:
        sign_in(page, agent.email, totp=True)
        page.goto(page.url_for(ticket.get_absolute_url()))

        page.get_by_role("radio", name="Внутренняя заметка").check()
        expect(
            page.get_by_text("Видеть эту заметку будут только сотрудники")
        ).to_be_visible()
        page.get_by_label("Сообщение").fill("Заметка без скриптов")
        page.get_by_text("Отправить и установить статус").click()
        page.get_by_role(
            "button", name="Отправить и установить: Ожидает ответа клиента"
        ).click()
        expect(page.locator(".kind-internal_note")).to_contain_text(
            "Заметка без скриптов"
        )
    finally:
        context.close()
    ticket.refresh_from_db()
    assert ticket.status == "waiting"
    assert ticket.messages.last().kind == "internal_note"
