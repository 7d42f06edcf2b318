"""Signing in through the real form, as a person would: the e-mail and
password, then for staff the authenticator's current code."""

from __future__ import annotations

from tests.auth import current_totp_code
from tests.factories import PASSWORD


def sign_in(page, email: str, *, totp: bool = False) -> None:
    """`page.url_for` names the live server (the `page` fixture sets it)."""
    page.goto(page.url_for("/accounts/login/"))
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form:has(input[name=password]) button[type=submit]").click()
    if totp:
        page.locator("input[name=code]").fill(current_totp_code())
        page.locator("form:has(input[name=code]) button[type=submit]").first.click()
