"""A form that comes back with errors takes the keyboard to its summary, and
the files chosen are still there to send."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD
from tickets.models import Attachment, Ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_summary_takes_the_focus_and_the_file_is_kept(
    page, customer, active_licence, tmp_path
) -> None:
    log = tmp_path / "server.log"
    log.write_text("ERROR 42\n")
    page.goto(page.url_for("/accounts/login/"))
    page.locator("input[name=login]").fill(customer.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form:has(input[name=password]) button[type=submit]").click()
    expect(page.get_by_role("button", name="Выйти")).to_be_visible()
    page.goto(page.url_for("/tickets/new/"))

    page.get_by_label("Описание").fill("Служба не стартует.")
    page.locator("input[name=attachments]").set_input_files(str(log))
    page.get_by_role("button", name="Подать заявку").click()

    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    summary.get_by_role("link", name="Тема: Обязательное поле.").click()
    expect(page.get_by_label("Тема")).to_be_focused()
    expect(page.get_by_label("server.log")).to_be_checked()

    page.get_by_label("Тема").fill("Служба не стартует")
    page.get_by_label("Лицензия").select_option(str(active_licence.pk))
    page.get_by_label("Неисправность").check()
    page.get_by_role("button", name="Подать заявку").click()

    expect(page.get_by_role("heading", name="Служба не стартует")).to_be_visible()
    ticket = Ticket.objects.get()
    assert list(
        Attachment.objects.filter(message__ticket=ticket).values_list(
            "original_name", flat=True
        )
    ) == ["server.log"]
