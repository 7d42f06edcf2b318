"""Every page of every role, in both languages: nothing scrolls sideways on a
390-pixel phone, and axe-core (tests/browser/axe/) finds no violation on the
phone or on a 1366-pixel desktop.

The pages come from the authorisation matrix (each URL a role may GET with
200), plus allauth's pages and the admin's (its index, each registered
model's list, add page and one change page, and its other views that take no
argument). One browser context per role and language, signed in once; each
page loads once, on the phone, and is checked again widened to the desktop.
A failure lists every page with what was found there, at once.
"""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import URLPattern, reverse
from django.utils.timezone import localdate

from schedule import current as support_hours
from schedule.models import DateOverride
from tests.auth import sign_in
from tests.security.conftest import world  # noqa: F401 (fixture)
from tests.security.test_authorisation_matrix import EXPECTED, OK

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Evaluated, not added as a <script>: the site's CSP forbids inline scripts.
AXE = (Path(__file__).parent / "axe" / "axe.min.js").read_text()
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 768}
ROLES = ["anonymous", "member_a", "manager_a", "agent", "supervisor", "admin"]
STAFF = {"agent", "supervisor", "admin"}
# Each admin page for the role that may change everything, and for the one
# that may only look at most things: a supervisor may see all an agent may
# (accounts/roles.py), so the agent's admin adds nothing but time.
ADMIN_PAGES_FOR = {"supervisor", "admin"}

# Answers that are not pages: JSON, and files that download.
NOT_PAGES = {
    "healthz",
    "schedule:status_api",
    "api:schema",
    "tickets:attachment",
    "tickets_mail:download",
}

# allauth's pages; those that send a role elsewhere (a redirect) are left out
# for that role.
ALLAUTH_PAGES = [
    "account_login",
    "account_signup",
    "account_reset_password",
    "account_reset_password_done",
    "account_reset_password_from_key_done",
    "account_email_verification_sent",
    "account_logout",
    "account_email",
    "account_change_password",
    "account_reauthenticate",
    "mfa_index",
    "mfa_activate_totp",
    "mfa_deactivate_totp",
    "mfa_view_recovery_codes",
    "mfa_generate_recovery_codes",
]


# Views of a page that show more than its first view (all mail, not only held).
OTHER_VIEWS = {"tickets_mail:list": "?show=all"}


def _matrix_paths(role: str, kwargs: dict) -> list[tuple[str, str]]:
    paths = [
        (name, reverse(name, kwargs=kwargs.get(name)))
        for name, (get, _post) in sorted(EXPECTED.items())
        if get[role] == OK and name not in NOT_PAGES
    ]
    return paths + [
        (name, path + OTHER_VIEWS[name]) for name, path in paths if name in OTHER_VIEWS
    ]


# Models whose history and delete confirmation (which lists the related rows
# that would go too) stand for every model's.
ONE_TEMPLATE_FOR_ALL = {"tickets.Ticket", "accounts.Organisation"}


def _admin_paths() -> list[tuple[str, str]]:
    """The admin's index, each app's page, and each model's list, add page,
    one change page and any view of its own that takes no argument; the
    history and delete-confirmation pages of the models in
    `ONE_TEMPLATE_FOR_ALL` (the admin draws them alike for every model); and
    the calendar's year (the licence import's pages need an import: not
    here)."""
    paths = {("admin:index", reverse("admin:index"))}
    for model, model_admin in admin.site._registry.items():
        app_label = model._meta.app_label
        paths.add(("admin:app_list", reverse("admin:app_list", args=[app_label])))
        instance = model._default_manager.order_by("pk").first()
        for pattern in model_admin.get_urls():
            if not isinstance(pattern, URLPattern) or not pattern.name:
                continue
            name = f"admin:{pattern.name}"
            if "<" not in str(pattern.pattern):
                paths.add((name, reverse(name)))
            elif instance is None:
                continue
            elif name.endswith("_change") or (
                model._meta.label in ONE_TEMPLATE_FOR_ALL
                and name.endswith(("_history", "_delete"))
            ):
                paths.add((name, reverse(name, args=[instance.pk])))
    year = "admin:schedule_calendarday_year"
    paths.add((year, reverse(year, args=[localdate().year])))
    return sorted(paths, key=lambda item: item[1])


def _pages(role: str, kwargs: dict) -> list[tuple[str, str, bool]]:
    """(name, path, in the matrix): matrix pages must open; the others may
    send this role elsewhere, and are then not this role's pages."""
    pages = [(name, path, True) for name, path in _matrix_paths(role, kwargs)]
    pages += [(name, reverse(name), False) for name in ALLAUTH_PAGES]
    if role in ADMIN_PAGES_FOR:
        pages += [(name, path, False) for name, path in _admin_paths()]
    elif role in STAFF:
        pages.append(("admin:index", reverse("admin:index"), False))
    return pages


def _context(browser, live_server, *, language: str, user=None):
    """A tab in `language`, signed in as `user` (a session made as the real
    sign-in leaves it, second factor included, so no test waits for a code)."""
    context = browser.new_context(
        viewport=PHONE,
        locale="ru-RU" if language == "ru" else "en-GB",
        timezone_id="Europe/Moscow",
    )
    context.set_default_timeout(15_000)
    cookies = [{"name": "django_language", "value": language, "url": live_server.url}]
    if user is not None:
        client = Client()
        sign_in(client, user)
        session = client.cookies["sessionid"].value
        cookies.append({"name": "sessionid", "value": session, "url": live_server.url})
    context.add_cookies(cookies)
    return context


def _violations(page) -> list[str]:
    """axe's default rules (WCAG 2 A and AA, and best practices)."""
    found = page.evaluate(
        """async () => {
          // Scripts that run just after "load" (jQuery's ready) finish first.
          await new Promise((resolve) => setTimeout(resolve, 20));
          const result = await axe.run(document, {resultTypes: ['violations']});
          return result.violations.map(v => [v.id, v.nodes.length, v.nodes[0].target.join(' ')]);
        }"""
    )
    return [
        f"{rule} at {target}" + (f" (+{count - 1} more)" if count > 1 else "")
        for rule, count, target in found
    ]


@pytest.fixture
def changed_day() -> None:
    """A closed day soon: the hours page then lists it in its table."""
    DateOverride.objects.create(
        date=localdate() + datetime.timedelta(days=10), note="Санитарный день"
    )
    support_hours.forget()


@pytest.mark.usefixtures("changed_day")
@pytest.mark.parametrize("language", ["ru", "en"])
@pytest.mark.parametrize("role", ROLES)
def test_every_page_fits_a_phone_and_passes_axe(
    browser,
    live_server,
    world,  # noqa: F811 (the fixture imported above)
    role,
    language,
) -> None:
    user = None if role == "anonymous" else world["users"][role]
    context = _context(browser, live_server, language=language, user=user)
    tab = context.new_page()
    problems: list[str] = []
    visited = 0
    for _name, path, in_matrix in _pages(role, world["kwargs"]):
        # Each page loads once, on the phone, then the window widens.
        tab.set_viewport_size(PHONE)
        response = tab.goto(f"{live_server.url}{path}")
        status = response.status if response else 0
        landed = tab.url.removeprefix(live_server.url)
        if status >= 500 or (in_matrix and status != 200):
            problems.append(f"{path}: HTTP {status}, at {landed}")
            continue
        if status != 200 or landed.split("?")[0] != path.split("?")[0]:
            continue  # a 403 or a redirect: not a page of this role's
        visited += 1
        tab.evaluate(AXE)
        width = tab.evaluate("document.documentElement.scrollWidth")
        found = [f"[phone] scrollWidth {width}"] if width > PHONE["width"] else []
        found += [f"[phone] {v}" for v in _violations(tab)]
        tab.set_viewport_size(DESKTOP)
        found += [f"[desktop] {v}" for v in _violations(tab)]
        problems += [f"{path} {finding}" for finding in found]
    context.close()

    assert visited, "no page was visited"
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


def test_the_checks_would_see_a_wide_page_and_a_violation(browser, live_server) -> None:
    """The measures themselves: a page wider than the phone, an image without
    a text alternative."""
    context = _context(browser, live_server, language="en")
    tab = context.new_page()
    tab.goto(f"{live_server.url}{reverse('account_login')}")
    tab.evaluate(AXE)
    tab.evaluate(
        """() => document.querySelector("main").insertAdjacentHTML(
          "beforeend", '<div style="width: 600px">wide</div><img src="/x.png">')"""
    )
    width = tab.evaluate("document.documentElement.scrollWidth")
    violations = _violations(tab)
    context.close()

    assert width > PHONE["width"]
    assert any(finding.startswith("image-alt at ") for finding in violations)
