"""A customer files a ticket with two files, an agent answers, the customer closes and rates it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.signing import sign_in
from tickets.models import Ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page, email: str, *, totp: bool = False) -> None:
    sign_in(page, email, totp=totp)
    expect(page.get_by_role("button", name="Выйти")).to_be_visible()


def _sign_out(page) -> None:
    page.get_by_role("button", name="Выйти").click()
    page.context.clear_cookies()


def test_file_answer_close_and_rate(
    page, customer, agent, active_licence, mailoutbox, tmp_path, settings
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    (tmp_path / "error.log").write_text("ERROR: service failed to start\n")
    (tmp_path / "screen.png").write_bytes(b"\x89PNG\r\n\x1a\n")

    _sign_in(page, customer.email)
    page.get_by_role("link", name="Новая заявка").first.click()
    expect(page.get_by_text("не включает обучение пользователей")).to_be_visible()
    page.get_by_label("Лицензия").select_option(str(active_licence.pk))
    page.get_by_label("Тема").fill("Служба не запускается после обновления")
    page.get_by_label("Описание").fill(
        "После обновления до 5.2 служба **не стартует**."
    )
    expect(page.locator(".markdown-preview strong")).to_have_text("не стартует")
    page.get_by_label("Неисправность").check()
    page.get_by_label("Высокий").check()
    page.get_by_label("Вложения").set_input_files(
        [tmp_path / "error.log", tmp_path / "screen.png"]
    )
    page.get_by_role("button", name="Подать заявку").click()

    ticket = Ticket.objects.get()
    expect(page.get_by_role("heading", level=1)).to_contain_text(ticket.reference)
    expect(page.get_by_role("link", name="error.log")).to_be_visible()
    expect(page.get_by_text("screen.png", exact=True)).to_be_visible()
    expect(page.locator("img.thumbnail")).to_have_count(1)
    _sign_out(page)

    _sign_in(page, agent.email, totp=True)
    page.goto(page.url_for(ticket.get_absolute_url()))
    page.get_by_label("Сообщение").fill(
        "Проверили журнал: переустановите службу командой `setup --repair`."
    )
    page.get_by_text("Отправить и установить статус").click()
    page.get_by_role("button", name="Отправить и установить: Решена").click()
    expect(page.locator(".status").first).to_have_text("Решена")
    _sign_out(page)

    _sign_in(page, customer.email)
    page.goto(page.url_for(ticket.get_absolute_url()))
    expect(page.locator(".kind-reply")).to_contain_text("setup --repair")
    page.get_by_role("button", name="Проблема решена: закрыть заявку").click()
    expect(page.get_by_role("heading", name="Оцените нашу помощь")).to_be_visible()
    page.get_by_label("5").check()
    page.get_by_label("Комментарий").fill("Быстро и по делу")
    page.get_by_role("button", name="Отправить оценку").click()
    expect(page.get_by_text("Оценка: 5 из 5.")).to_be_visible()

    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.CLOSED
    assert ticket.rating.score == 5
    root = f"<{ticket.reference.lower()}@helpdesk.localhost>"
    acknowledgement, reply = (m for m in mailoutbox if m.to == [customer.email])
    assert acknowledgement.extra_headers["Message-ID"] == root
    assert reply.extra_headers["In-Reply-To"] == root
    assert reply.extra_headers["References"] == root
    assert "setup --repair" in reply.body
