"""The whole way in: request access, follow the invitation, sign up, verify, see licences."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import translation
from django.utils.formats import date_format
from playwright.sync_api import expect

from accounts.models import Licence

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Пароль-для-портала-2026"


def _link_in_last_mail(to: str, pattern: str) -> str:
    messages = [m for m in mail.outbox if to in m.to]
    assert messages, f"no mail to {to}"
    match = re.search(pattern, messages[-1].body)
    assert match, messages[-1].body
    return match.group(0)


def test_a_new_contact_gets_from_licence_number_to_licence_list(
    page, mailoutbox
) -> None:
    call_command("seed_demo")

    page.goto(page.url_for("/"))
    page.get_by_role("link", name="Запросить доступ").first.click()
    page.get_by_label("Организация").fill("ООО «Ромашка»")
    page.get_by_label("ИНН").fill("7701234560")
    page.get_by_label("ФИО").fill("Вера Новикова")
    page.get_by_label("Должность").fill("Инженер")
    page.get_by_label("Эл. почта").fill("vera@example.com")
    page.get_by_label("Телефон").fill("+7 912 345-67-89")
    page.get_by_label("Номер лицензии").fill("rmsk-0001-srvr-2026")
    page.locator("input[name=consent]").check()
    page.get_by_role("button", name="Отправить запрос").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Спасибо, ваш запрос получен"
    )

    invitation = _link_in_last_mail("vera@example.com", r"http://\S+/invitation/\S+/")
    page.goto(invitation.replace("http://127.0.0.1:8000", page.url_for("")))
    expect(page.locator("input[name=email]")).to_have_value("vera@example.com")
    page.locator("input[name=password1]").fill(PASSWORD)
    page.locator("input[name=password2]").fill(PASSWORD)
    page.locator("input[name=consent]").check()
    page.locator("form:has(input[name=password1]) button[type=submit]").click()

    confirmation = _link_in_last_mail(
        "vera@example.com", r"http://\S+/accounts/confirm-email/\S+/"
    )
    page.goto(re.sub(r"^http://[^/]+", page.url_for(""), confirmation))
    page.locator("form button[type=submit]").last.click()

    page.goto(page.url_for("/accounts/login/"))
    page.locator("input[name=login]").fill("vera@example.com")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form:has(input[name=password]) button[type=submit]").click()

    expect(
        page.get_by_text("Вы вошли как контактное лицо организации ООО «Ромашка».")
    ).to_be_visible()
    row = page.get_by_role("row").filter(has_text="RMSK-0001-SRVR-2026")
    with translation.override("ru"):
        ends_on = date_format(
            Licence.objects.get(number="RMSK-0001-SRVR-2026").support_ends_on, "j E Y"
        )
    expect(row).to_contain_text(ends_on)
    expect(page.get_by_role("cell", name="SVVT-1000-SRVR-2026")).to_have_count(0)
