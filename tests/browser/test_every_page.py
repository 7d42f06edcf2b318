"""Every page of every role, in both languages: nothing scrolls sideways on a
390-pixel phone, and axe-core (tests/browser/axe/) finds no violation on the
phone or on a 1366-pixel desktop.

The pages come from the authorisation matrix (each URL a role may GET with
200), plus allauth's pages and the admin's (its index, each registered
model's list, add page and one change page, and its other views that take no
argument). One browser context per role and language, signed in once; each
page loads once, on the phone, and is checked again widened to the desktop.
A failure lists every page with what was found there, at once.

Two tabs take turns: while axe works through a page in one (in Chromium's
renderer), the next page is served and loads in the other (in the test
process's live server), so the two processors of a CI machine both work.
The pages still load one after another, in the same order.
"""

from __future__ import annotations

import datetime
from collections import deque
from collections.abc import Iterator
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
# Each admin page in each language: every page for the role that may change
# everything, in Russian, and those of the one that may only look at most
# things (its read-only forms), in English. A supervisor may see all an agent
# may (accounts/roles.py), so the agent's admin adds nothing but time, as
# every role in both languages would (a minute and a half of CI's 20).
ADMIN_PAGES_FOR = {("admin", "ru"), ("supervisor", "en")}

# Answers that are not pages: JSON, and files that download.
NOT_PAGES = {
    "healthz",
    "schedule:status_api",
    "api:schema",
    "tickets:attachment",
    "tickets_mail:download",
    "knowledge:file",
    "knowledge:find_for_ticket",
    "reports:report_table",
    "reports:export_tickets",
    "reports:export_progress",
    "reports:export_file",
    "organisation_figures:csv",
    "sitemap",
    "admin:audit_auditentry_export",
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
# Admin views of our own that show one object: their arguments after its pk.
# (The automation's dry runs need a rule; the world has none.)
OWN_OBJECT_VIEWS = {
    "admin:knowledge_article_history_texts": lambda article: [],
    "admin:knowledge_article_revision": lambda article: [
        article.revisions.order_by("pk").last().pk
    ],
    "admin:knowledge_article_preview": lambda article: ["ru"],
    "admin:api_integration_issue_token": lambda integration: [],
    "admin:privacy_erase": lambda person: [],
}


def _admin_paths() -> list[tuple[str, str]]:
    """The admin's index, each app's page, and each model's list, add page,
    one change page and any view of its own that takes no argument; the
    history and delete-confirmation pages of the models in
    `ONE_TEMPLATE_FOR_ALL` (the admin draws them alike for every model); the
    views of our own in `OWN_OBJECT_VIEWS`; and the calendar's year (the licence import's pages need an import: not
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
                if name not in NOT_PAGES:
                    paths.add((name, reverse(name)))
            elif instance is None:
                continue
            elif name.endswith("_change") or (
                model._meta.label in ONE_TEMPLATE_FOR_ALL
                and name.endswith(("_history", "_delete"))
            ):
                paths.add((name, reverse(name, args=[instance.pk])))
            elif name in OWN_OBJECT_VIEWS:
                more = OWN_OBJECT_VIEWS[name](instance)
                paths.add((name, reverse(name, args=[instance.pk, *more])))
    year = "admin:schedule_calendarday_year"
    paths.add((year, reverse(year, args=[localdate().year])))
    return sorted(paths, key=lambda item: item[1])


def _pages(role: str, language: str, kwargs: dict) -> list[tuple[str, str, bool]]:
    """(name, path, in the matrix): matrix pages must open; the others may
    send this role elsewhere, and are then not this role's pages."""
    pages = [(name, path, True) for name, path in _matrix_paths(role, kwargs)]
    pages += [(name, reverse(name), False) for name in ALLAUTH_PAGES]
    if (role, language) in ADMIN_PAGES_FOR:
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
    # axe in every page before its own scripts: compiled once, not per page.
    context.add_init_script(AXE)
    cookies = [{"name": "django_language", "value": language, "url": live_server.url}]
    if user is not None:
        client = Client()
        sign_in(client, user)
        session = client.cookies["sessionid"].value
        cookies.append({"name": "sessionid", "value": session, "url": live_server.url})
    context.add_cookies(cookies)
    return context


def _start_axe(page) -> None:
    """axe's default rules (WCAG 2 A and AA, and best practices), started in
    the page and left running there; `_axe_findings` waits for them."""
    page.evaluate(
        """() => {
          window.__axeFindings = (async () => {
            // Scripts that run just after "load" (jQuery's ready) finish first.
            await new Promise((resolve) => setTimeout(resolve, 20));
            const result = await axe.run(document, {resultTypes: ['violations']});
            return result.violations.map(v => [v.id, v.nodes.length, v.nodes[0].target.join(' ')]);
          })();
        }"""
    )


def _axe_findings(page) -> list[str]:
    found = page.evaluate("() => window.__axeFindings")
    return [
        f"{rule} at {target}" + (f" (+{count - 1} more)" if count > 1 else "")
        for rule, count, target in found
    ]


def _violations(page) -> list[str]:
    _start_axe(page)
    return _axe_findings(page)


def _check_page(
    tab, base: str, path: str, in_matrix: bool, result: dict
) -> Iterator[None]:
    """One page's checks, pausing (yield) while axe runs in the tab: the
    caller meanwhile turns to another tab. Leaves `problems` and `visited`
    in `result`."""
    # Each page loads once, on the phone, then the window widens.
    tab.set_viewport_size(PHONE)
    response = tab.goto(f"{base}{path}")
    status = response.status if response else 0
    landed = tab.url.removeprefix(base)
    if status >= 500 or (in_matrix and status != 200):
        result["problems"] = [f"{path}: HTTP {status}, at {landed}"]
        return
    if status != 200 or landed.split("?")[0] != path.split("?")[0]:
        return  # a 403 or a redirect: not a page of this role's
    result["visited"] = True
    width = tab.evaluate("document.documentElement.scrollWidth")
    found = [f"[phone] scrollWidth {width}"] if width > PHONE["width"] else []
    _start_axe(tab)
    yield
    found += [f"[phone] {v}" for v in _axe_findings(tab)]
    tab.set_viewport_size(DESKTOP)
    _start_axe(tab)
    yield
    found += [f"[desktop] {v}" for v in _axe_findings(tab)]
    result["problems"] = [f"{path} {finding}" for finding in found]


def _check_pages(tabs: list, base: str, pages: list) -> list[dict]:
    """`_check_page` for each page, in order, the tabs taking turns."""
    results = [{"problems": [], "visited": False} for _ in pages]
    waiting = deque(zip(pages, results, strict=True))
    free = deque(tabs)
    running: deque = deque()  # (tab, its page's checks), oldest first
    while waiting or running:
        while free and waiting:
            (_name, path, in_matrix), result = waiting.popleft()
            tab = free.popleft()
            checks = _check_page(tab, base, path, in_matrix, result)
            if next(checks, StopIteration) is StopIteration:
                free.appendleft(tab)  # done at once (not a page of this role's)
            else:
                running.append((tab, checks))
        if running:
            tab, checks = running.popleft()
            if next(checks, StopIteration) is StopIteration:
                free.append(tab)
            else:
                running.append((tab, checks))
    return results


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
    tabs = [context.new_page() for _ in range(2)]
    results = _check_pages(
        tabs, live_server.url, _pages(role, language, world["kwargs"])
    )
    context.close()
    problems = [problem for result in results for problem in result["problems"]]
    visited = sum(result["visited"] for result in results)

    assert visited, "no page was visited"
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


def test_the_checks_would_see_a_wide_page_and_a_violation(browser, live_server) -> None:
    """The measures themselves: a page wider than the phone, an image without
    a text alternative."""
    context = _context(browser, live_server, language="en")
    tab = context.new_page()
    tab.goto(f"{live_server.url}{reverse('account_login')}")
    tab.evaluate(
        """() => document.querySelector("main").insertAdjacentHTML(
          "beforeend", '<div style="width: 600px">wide</div><img src="/x.png">')"""
    )
    width = tab.evaluate("document.documentElement.scrollWidth")
    violations = _violations(tab)
    context.close()

    assert width > PHONE["width"]
    assert any(finding.startswith("image-alt at ") for finding in violations)


class _FakeTab:
    """Stands for a Playwright tab in `_check_pages`: each path answers with
    the status and landing place given, and axe finds the rule named after
    the path and the window's width."""

    def __init__(self, answers: dict[str, tuple[int, str]]) -> None:
        self.answers = answers
        self.url = ""
        self.width = 0
        self.started: str | None = None

    def set_viewport_size(self, size: dict) -> None:
        self.width = size["width"]

    def goto(self, url: str):
        status, self.url = self.answers[url.removeprefix("http://x")]
        self.url = f"http://x{self.url}"
        return type("Response", (), {"status": status})()

    def evaluate(self, script: str):
        if "scrollWidth" in script:
            return 999 if "wide" in self.url else PHONE["width"]
        if "__axeFindings =" in script:
            self.started = f"{self.url.removeprefix('http://x')}@{self.width}"
            return None
        found, self.started = self.started, None
        return [[found, 1, "main"]]


def test_the_tabs_taking_turns_check_every_page_at_both_sizes() -> None:
    answers = {
        "/a/": (200, "/a/"),
        "/wide/": (200, "/wide/"),
        "/elsewhere/": (302, "/accounts/login/"),
        "/broken/": (500, "/broken/"),
        "/b/": (200, "/b/"),
    }
    tabs = [_FakeTab(answers), _FakeTab(answers)]
    pages = [(path, path, path == "/broken/") for path in answers]

    results = _check_pages(tabs, "http://x", pages)

    assert [result["visited"] for result in results] == [True, True, False, False, True]
    assert [result["problems"] for result in results] == [
        ["/a/ [phone] /a/@390 at main", "/a/ [desktop] /a/@1366 at main"],
        [
            "/wide/ [phone] scrollWidth 999",
            "/wide/ [phone] /wide/@390 at main",
            "/wide/ [desktop] /wide/@1366 at main",
        ],
        [],
        ["/broken/: HTTP 500, at /broken/"],
        ["/b/ [phone] /b/@390 at main", "/b/ [desktop] /b/@1366 at main"],
    ]
