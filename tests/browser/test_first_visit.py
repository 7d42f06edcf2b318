from __future__ import annotations

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_visitor_reads_russian_switches_to_english_and_signs_in(page) -> None:
    call_command("seed_demo")

    page.goto(page.url_for("/"))
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Портал технической поддержки"
    )

    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Technical support portal"
    )

    page.get_by_role("link", name="Sign in to the portal").click()
    page.locator("input[name=login]").fill("customer@example.com")
    page.locator("input[name=password]").fill("helpdesk-demo")
    page.locator("form:has(input[name=password]) button[type=submit]").click()

    expect(
        page.get_by_text("You are signed in as a contact of ООО «Ромашка».")
    ).to_be_visible()
    expect(page.get_by_role("cell", name="RMSK-0001-SRVR-2026")).to_be_visible()
    expect(page.get_by_role("cell", name="OLDC-0042-SRVR-2024")).to_have_count(0)
