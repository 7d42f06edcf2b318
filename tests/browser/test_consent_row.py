"""The consent box on the access request and sign-up forms is a checkbox
row, on a phone as on a desktop: the box, then its label beside it with the
link to the notice in it, a long label wrapping under its own text; the
error just above the row; nothing scrolls sideways."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accounts.services import invite_contact

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 768}

ROW = """() => {
  const box = document.querySelector("input[name=consent]").getBoundingClientRect();
  const label = document.querySelector("label[for=id_consent]");
  const range = document.createRange();
  range.selectNodeContents(label);
  const lines = [...range.getClientRects()];
  const error = document.getElementById("id_consent_error");
  const gap = error ? box.top - error.getBoundingClientRect().bottom : null;
  const root = document.documentElement;
  return {
    labelsOfTheBox: document.querySelectorAll("label[for=id_consent]").length,
    linkInLabel: label.querySelector("a[href='/privacy/']") !== null,
    textRightOfTheBox: lines.every((line) => line.left >= box.right),
    firstLineBesideTheBox: Math.abs(lines[0].top - box.top) < box.height,
    lines: new Set(lines.map((line) => Math.round(line.top))).size,
    errorJustAbove: gap === null ? null : gap >= 0 && gap < 24,
    sideways: root.scrollWidth > root.clientWidth,
  };
}"""


def _row(page, size: dict[str, int]) -> dict[str, object]:
    page.set_viewport_size(size)
    return page.evaluate(ROW)


def _as_expected(*, error: bool | None) -> dict[str, object]:
    return {
        "labelsOfTheBox": 1,
        "linkInLabel": True,
        "textRightOfTheBox": True,
        "firstLineBesideTheBox": True,
        "errorJustAbove": error,
        "sideways": False,
    }


def _without_lines(found: dict[str, object]) -> dict[str, object]:
    return {key: value for key, value in found.items() if key != "lines"}


def test_the_access_request_box_is_a_row_with_its_error_above(page) -> None:
    page.goto(page.url_for("/access/"))

    phone, desktop = _row(page, PHONE), _row(page, DESKTOP)
    # The form is refused with a new page: measure that one, not the old.
    with page.expect_navigation():
        page.get_by_role("button", name="Отправить запрос").click()
    phone_error, desktop_error = _row(page, PHONE), _row(page, DESKTOP)

    assert _without_lines(phone) == _without_lines(desktop) == _as_expected(error=None)
    assert _without_lines(phone_error) == _as_expected(error=True)
    assert _without_lines(desktop_error) == _as_expected(error=True)
    # The phone wraps the label (under its own text, as found above), the
    # desktop less so.
    assert phone["lines"] > desktop["lines"] >= 1
    # A click on its words ticks the box, as any label's does.
    page.locator("label[for=id_consent]").click(position={"x": 4, "y": 4})
    expect(page.locator("input[name=consent]")).to_be_checked()


def test_the_sign_up_box_is_a_row_after_the_passwords(page, organisation) -> None:
    invitation = invite_contact(
        organisation, email="vera@alfa.example", full_name="Вера Новикова"
    )
    page.goto(page.url_for(f"/invitation/{invitation.token}/"))
    expect(page.locator("input[name=email]")).to_have_value("vera@alfa.example")

    phone, desktop = _row(page, PHONE), _row(page, DESKTOP)

    assert _without_lines(phone) == _without_lines(desktop) == _as_expected(error=None)
    names = page.locator("form:has(input[name=consent]) input:not([type=hidden])")
    assert names.evaluate_all("inputs => inputs.map((i) => i.name)")[-1] == "consent"
