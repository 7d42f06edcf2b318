"""An administrator imports 10,000 licences from CSV, watching progress, then renews one."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.utils.timezone import localdate
from playwright.sync_api import expect

from accounts.models import Licence, one_year_after
from tests.auth import current_totp_code
from tests.factories import PASSWORD, OrganisationFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
]

ROWS = 10_000


def _current_code() -> str:
    return current_totp_code()


PURCHASED_ON = localdate() - datetime.timedelta(days=100)


def _csv(tmp_path: Path) -> Path:
    organisations = OrganisationFactory.create_batch(10)
    lines = ["number,tax_id,organisation,product,edition,purchased_on,seats,scope"]
    lines += [
        f"IMPT-{n // 1000:04d}-{n % 1000:04d}-CSV0,{organisations[n % 10].tax_id},,Helpdesk Server,Standard,{PURCHASED_ON.isoformat()},10,"
        for n in range(ROWS)
    ]
    path = tmp_path / "licences.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_import_ten_thousand_licences_then_renew_one(
    page, admin_user, redis_celery_worker, tmp_path
) -> None:
    csv_file = _csv(tmp_path)
    page.goto(page.url_for("/accounts/login/"))
    page.locator("input[name=login]").fill(admin_user.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form:has(input[name=password]) button[type=submit]").click()
    page.locator("input[name=code]").fill(_current_code())
    page.locator("form:has(input[name=code]) button[type=submit]").first.click()
    # An administrator lands in the admin.
    expect(page.get_by_role("heading", level=1)).to_have_text("Администрирование сайта")

    page.goto(page.url_for("/admin/accounts/licence/"))
    page.get_by_role("link", name="Импорт из CSV").click()
    page.locator("input[type=file]").set_input_files(csv_file)
    page.get_by_role("button", name="Проверить файл").click()

    # The check runs in the worker while the page shows how far it has got.
    expect(page.locator("#import-progress progress")).to_be_visible()
    expect(page.locator('#import-summary [data-count="create"]')).to_have_text(
        str(ROWS), timeout=60_000
    )
    expect(page.locator('#import-summary [data-count="invalid"]')).to_have_text("0")
    page.get_by_role("button", name="Импортировать").click()
    expect(page.locator("#import-progress progress")).to_be_visible()
    expect(page.locator("#import-status")).to_have_attribute(
        "data-status", "done", timeout=60_000
    )
    assert Licence.objects.filter(number__startswith="IMPT-").count() == ROWS

    page.goto(page.url_for("/admin/accounts/licence/?q=IMPT-0007-0042"))
    page.locator("input[name=_selected_action]").first.check()
    page.locator("select[name=action]").select_option("renew")
    page.locator("button[name=index]").click()
    page.locator("input[name=years]").fill("2")
    page.get_by_role("button", name="Продлить").click()

    expect(page.locator(".messagelist")).to_contain_text("1")
    licence = Licence.objects.with_periods().get(number="IMPT-0007-0042-CSV0")
    assert [p.kind for p in licence.subscription_periods.all()] == [
        "included",
        "renewal",
    ]
    renewal_starts = one_year_after(PURCHASED_ON) + datetime.timedelta(days=1)
    assert licence.support_ends_on == one_year_after(renewal_starts, years=2)
