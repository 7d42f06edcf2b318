"""Every URL of ours × every role × GET and POST, generated from the URL configuration.

A URL added without a row in EXPECTED fails `test_every_url_has_expectations`,
so nobody can forget to decide who may use it. A request that is refused
(403, 404, 405 or a redirect to sign in) must also write nothing.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.models import AccessRequest, Invitation, Membership, User
from tests.auth import sign_in
from tests.security.conftest import make_world
from tickets.models import (
    Message,
    SatisfactionRating,
    TelegramLink,
    TelegramLinkToken,
    TelegramUpdate,
    Ticket,
    TicketEvent,
)

ROLES = [
    "anonymous",
    "member_a",
    "manager_a",
    "member_b",
    "agent",
    "supervisor",
    "admin",
]
CUSTOMERS = ["member_a", "manager_a", "member_b"]
STAFF = ["agent", "supervisor", "admin"]
# Sessions of accounts closed after they signed in: each must meet exactly
# what a visitor meets (`User.may_act`).
FORMER = ["removed_member_a", "deactivated_manager_a", "deactivated_agent"]

OK = "ok"  # 200, or for POST any 2xx/3xx that is not a refusal
LOGIN = "login"  # redirect to the sign-in page
REDIRECT = "redirect"
FORBIDDEN = 403
NOT_FOUND = 404
NO_METHOD = 405
# The API's answer to a session without a token: sign-in cookies open nothing
# there (tests/api has the matrix of tokens).
NO_TOKEN = 401

# Third-party URL trees, covered by their own tests and spot checks below.
SKIPPED_PREFIXES = ("admin/", "accounts/")


def _roles(default: object, **overrides: object) -> dict[str, object]:
    return {role: overrides.get(role, default) for role in ROLES}


def _signed_in(
    outcome: object, *, anonymous: object = LOGIN, **overrides: object
) -> dict[str, object]:
    return _roles(outcome, anonymous=anonymous, **overrides)


def _staff_only() -> dict[str, object]:
    return _signed_in(OK, **dict.fromkeys(CUSTOMERS, FORBIDDEN))


def _ticket_of_a(outcome: object = OK) -> dict[str, object]:
    """The ticket belongs to organisation A's manager; its member is not a party."""
    return _signed_in(outcome, member_a=NOT_FOUND, member_b=NOT_FOUND)


def _for_customers_with_support(
    outcome: object, *, anonymous: object = NOT_FOUND
) -> dict[str, object]:
    return _roles(outcome, anonymous=anonymous, member_b=NOT_FOUND)


def _post_only(post: dict[str, object]) -> tuple[dict[str, object], dict[str, object]]:
    return _signed_in(NO_METHOD), post


EXPECTED: dict[str, tuple[dict[str, object], dict[str, object]]] = {
    # name: (GET outcomes by role, POST outcomes by role)
    "home": (_roles(OK), _roles(OK)),
    "healthz": (_roles(OK), _roles(NO_METHOD)),
    "set_language": (_roles(NO_METHOD), _roles(REDIRECT)),
    "accounts:request_access": (_roles(OK), _roles(OK)),
    "accounts:privacy_notice": (_roles(OK), _roles(NO_METHOD)),
    "accounts:access_requested": (_roles(OK), _roles(OK)),
    "accounts:accept_invitation": (_roles(REDIRECT), _roles(REDIRECT)),
    "accounts:profile": (_signed_in(OK), _signed_in(OK)),
    "accounts:organisation_contacts": (
        _signed_in(FORBIDDEN, manager_a=OK),
        _signed_in(FORBIDDEN, manager_a=OK),
    ),
    "accounts:remove_contact": _post_only(_signed_in(FORBIDDEN, manager_a=OK)),
    "accounts:access_request_list": (_staff_only(), _staff_only()),
    "accounts:access_request_detail": (_staff_only(), _staff_only()),
    "tickets:list": (_signed_in(OK), _signed_in(OK)),
    "tickets:create": (
        _signed_in(OK, **dict.fromkeys(STAFF, FORBIDDEN)),
        _signed_in(OK, **dict.fromkeys(STAFF, FORBIDDEN)),
    ),
    "tickets:preview": _post_only(_signed_in(OK)),
    "tickets:create_for_customer": (_staff_only(), _staff_only()),
    "tickets:notification_settings": (_signed_in(OK), _signed_in(OK)),
    # Customers' contacts link a chat; staff work in the portal.
    "tickets:telegram": (
        _signed_in(OK, **dict.fromkeys(STAFF, FORBIDDEN)),
        _signed_in(OK, **dict.fromkeys(STAFF, FORBIDDEN)),
    ),
    "tickets:telegram_disconnect": _post_only(
        _signed_in(OK, **dict.fromkeys(STAFF, FORBIDDEN))
    ),
    # Telegram's webhook: no session involved; without a bot token it is not there
    # (the secret header is checked in tests/tickets/telegram/test_webhook.py).
    "telegram:webhook": (_roles(NO_METHOD), _roles(NOT_FOUND)),
    "tickets:detail": (_ticket_of_a(), _ticket_of_a()),
    "tickets:close": _post_only(_ticket_of_a()),
    "tickets:rate": _post_only(_ticket_of_a(OK) | dict.fromkeys(STAFF, FORBIDDEN)),
    # The closing e-mail's rating link: its token is the authority, whoever
    # is signed in (the world's ticket is open: the page says it is rated
    # once closed, and the post is refused with the form's error summary).
    "tickets:rate_by_link": (_roles(OK), _roles(OK)),
    "tickets:copied_contacts": _post_only(_ticket_of_a()),
    "tickets:properties": _post_only(
        _signed_in(OK, **dict.fromkeys(CUSTOMERS, FORBIDDEN))
    ),
    "tickets:attachment": (_ticket_of_a(), _signed_in(NO_METHOD)),
    "tickets_mail:list": (_staff_only(), _signed_in(NO_METHOD)),
    "tickets_mail:detail": (_staff_only(), _signed_in(NO_METHOD)),
    "tickets_mail:download": (_staff_only(), _signed_in(NO_METHOD)),
    "tickets_mail:retry": _post_only(_staff_only()),
    "tickets_mail:assign": _post_only(_staff_only()),
    "tickets_staff:queue": (_staff_only(), _signed_in(NO_METHOD)),
    # Without the moment the page was drawn (`since`), staff are told what is
    # missing; customers are refused before that.
    "tickets_staff:queue_changes": (
        _signed_in(400, **dict.fromkeys(CUSTOMERS, FORBIDDEN)),
        _signed_in(NO_METHOD),
    ),
    "tickets_staff:take": _post_only(_staff_only()),
    "tickets_staff:bulk": _post_only(_staff_only()),
    "tickets_staff:save_filter": _post_only(_staff_only()),
    # The agent's own filter: other staff do not find it.
    "tickets_staff:delete_filter": _post_only(
        _staff_only() | {"supervisor": NOT_FOUND, "admin": NOT_FOUND}
    ),
    "tickets_staff:merge": _post_only(_staff_only()),
    "tickets_staff:link": _post_only(_staff_only()),
    "tickets_staff:unlink": _post_only(_staff_only()),
    "tickets_staff:presence": _post_only(_staff_only()),
    "tickets_staff:dashboard": (
        _signed_in(OK, **dict.fromkeys([*CUSTOMERS, "agent"], FORBIDDEN)),
        _signed_in(NO_METHOD),
    ),
    **{
        name: (
            _signed_in(OK, **dict.fromkeys([*CUSTOMERS, "agent"], FORBIDDEN)),
            _signed_in(NO_METHOD),
        )
        for name in ("reports:report", "reports:report_table")
    },
    "reports:export_tickets": _post_only(
        _signed_in(OK, **dict.fromkeys([*CUSTOMERS, "agent"], FORBIDDEN))
    ),
    # An export is its author's (the supervisor's); the file is not ready.
    **{
        name: (
            _signed_in(
                OK,
                admin=NOT_FOUND,
                **dict.fromkeys([*CUSTOMERS, "agent"], FORBIDDEN),
                **({"supervisor": NOT_FOUND} if name == "reports:export_file" else {}),
            ),
            _signed_in(NO_METHOD),
        )
        for name in ("reports:export", "reports:export_progress", "reports:export_file")
    },
    # Staff's own notifications: another's answers 404.
    "notifications:list": (_staff_only(), _signed_in(NO_METHOD)),
    "notifications:read_all": _post_only(_staff_only()),
    "notifications:open": _post_only(
        _staff_only() | {"supervisor": NOT_FOUND, "admin": NOT_FOUND}
    ),
    "notifications:settings": (_staff_only(), _staff_only()),
    "notifications:follow": _post_only(_staff_only()),
    "notifications:unfollow": _post_only(_staff_only()),
    "schedule:status_api": (_roles(OK), _roles(NO_METHOD)),
    "api:schema": (_roles(OK), _roles(NO_METHOD)),
    # An organisation's integrations: its manager's; staff use the admin.
    "integrations:list": (
        _signed_in(FORBIDDEN, manager_a=OK),
        _signed_in(FORBIDDEN, manager_a=OK),
    ),
    "integrations:issue": _post_only(_signed_in(FORBIDDEN, manager_a=OK)),
    "integrations:revoke": _post_only(_signed_in(FORBIDDEN, manager_a=OK)),
    # Webhooks of an organisation's integrations: its manager's, as above.
    "webhooks:list": (
        _signed_in(FORBIDDEN, manager_a=OK),
        _signed_in(FORBIDDEN, manager_a=OK),
    ),
    "webhooks:delete": _post_only(_signed_in(FORBIDDEN, manager_a=OK)),
    "webhooks:rotate": _post_only(_signed_in(FORBIDDEN, manager_a=OK)),
    "webhooks:enable": _post_only(_signed_in(FORBIDDEN, manager_a=OK)),
    # An organisation's statistics: its manager's; staff have the reports.
    **{
        name: (_signed_in(FORBIDDEN, manager_a=OK), _signed_in(NO_METHOD))
        for name in ("organisation_figures:page", "organisation_figures:csv")
    },
    "api:docs": (_roles(OK), _roles(NO_METHOD)),
    "api:tickets": (_roles(NO_TOKEN), _roles(NO_TOKEN)),
    "api:ticket": (_roles(NO_TOKEN), _roles(NO_TOKEN)),
    "api:messages": (_roles(NO_TOKEN), _roles(NO_TOKEN)),
    "api:attachment": (_roles(NO_TOKEN), _roles(NO_TOKEN)),
    "api:licence": (_roles(NO_TOKEN), _roles(NO_TOKEN)),
    "api:licences_bulk": (_roles(NO_TOKEN), _roles(NO_TOKEN)),
    "api:organisation": (_roles(NO_TOKEN), _roles(NO_TOKEN)),
    "api:organisation_by_external_id": (_roles(NO_TOKEN), _roles(NO_TOKEN)),
    "api:contact": (_roles(NO_TOKEN), _roles(NO_TOKEN)),
    "api:access_requests": (_roles(NO_TOKEN), _roles(NO_TOKEN)),
    "api:access_request": (_roles(NO_TOKEN), _roles(NO_TOKEN)),
    "schedule:support_hours": (_roles(OK), _roles(NO_METHOD)),
    # The knowledge base is public; the world's article is for customers
    # with active support (organisation A's), so others meet a 404.
    "knowledge:index": (_roles(OK), _roles(NO_METHOD)),
    "knowledge:search": (_roles(OK), _roles(NO_METHOD)),
    "knowledge:category": (_for_customers_with_support(OK), _roles(NO_METHOD)),
    "knowledge:article": (_for_customers_with_support(OK), _roles(NO_METHOD)),
    # A visitor is asked to sign in: the address is sent in replies and by
    # the bot, and may be opened before signing in.
    "knowledge:article_by_code": (
        _for_customers_with_support(REDIRECT, anonymous=LOGIN),
        _roles(NO_METHOD),
    ),
    # Suggestions on the filing form: asked by whoever files (staff get none).
    "knowledge:suggest": _post_only(_signed_in(OK)),
    # A suggestion's tracked address works for anyone who has it (Telegram
    # opens it in a browser); the article's own page then decides.
    "knowledge:suggested": (_roles(REDIRECT), _roles(NO_METHOD)),
    # Only the attempt's customer ends it; anyone else is sent to their list
    # with nothing recorded.
    "knowledge:solved": _post_only(_signed_in(REDIRECT)),
    # A link from a reply: the article's readers follow it.
    "knowledge:link": (
        _for_customers_with_support(REDIRECT, anonymous=LOGIN),
        _roles(NO_METHOD),
    ),
    # The composer's article finder, on a ticket staff see.
    "knowledge:find_for_ticket": (_staff_only(), _signed_in(NO_METHOD)),
    # Without an article chosen there is nothing to link.
    "knowledge:link_for_ticket": _post_only(
        _signed_in(NOT_FOUND, **dict.fromkeys(CUSTOMERS, FORBIDDEN))
    ),
    "knowledge:figures": (
        _signed_in(OK, **dict.fromkeys([*CUSTOMERS, "agent"], FORBIDDEN)),
        _signed_in(NO_METHOD),
    ),
    "knowledge:file": (_for_customers_with_support(OK), _roles(NO_METHOD)),
    # Without a choice the form says so after the redirect.
    "knowledge:feedback": (
        _roles(NO_METHOD),
        _for_customers_with_support(REDIRECT),
    ),
    # A draft article from a support reply: staff who write articles.
    "knowledge:draft_from_reply": (_staff_only(), _signed_in(NO_METHOD)),
    "knowledge:create_draft_from_reply": _post_only(_staff_only()),
    "sitemap": (_roles(OK), _roles(NO_METHOD)),
}


def _our_url_names() -> set[str]:
    names: set[str] = set()

    def walk(patterns: list, prefix: str = "", namespace: str = "") -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if route.startswith(SKIPPED_PREFIXES):
                continue
            if isinstance(pattern, URLResolver):
                inner = (
                    f"{namespace}{pattern.namespace}:"
                    if pattern.namespace
                    else namespace
                )
                walk(pattern.url_patterns, route, inner)
            elif isinstance(pattern, URLPattern):
                names.add(f"{namespace}{pattern.name}")

    walk(get_resolver().url_patterns)
    return names


def test_every_url_has_expectations() -> None:
    assert _our_url_names() == set(EXPECTED)


def _footprint(ticket: Ticket) -> tuple:
    """What any write would change."""
    ticket.refresh_from_db()
    return (
        ticket.status,
        ticket.priority,
        ticket.assignee_id,
        ticket.cc.count(),
        Ticket.objects.count(),
        Message.objects.count(),
        TicketEvent.objects.count(),
        SatisfactionRating.objects.count(),
        AccessRequest.objects.filter(status="pending").count(),
        Invitation.objects.filter(accepted_at=None).count(),
        Membership.objects.count(),
        User.objects.filter(is_active=True).count(),
        TelegramLink.objects.count(),
        TelegramLinkToken.objects.count(),
        TelegramUpdate.objects.count(),
    )


def _check(response, expected: object, method: str) -> None:
    status = response.status_code
    if expected == OK:
        allowed = {200} if method == "get" else {200, 201, 204, 302, 303}
        if method == "post" and status == 400:
            # The empty POST reached the form, which says what is missing
            # (the queue's bulk bar answers 400 with its error summary):
            # allowed, only incomplete.
            assert b'class="error-summary"' in response.content
            return
        assert status in allowed, status
        if status == 302:
            assert not response["Location"].startswith("/accounts/login/")
    elif expected == LOGIN:
        assert status == 302, status
        assert response["Location"].startswith("/accounts/login/"), response["Location"]
    elif expected == REDIRECT:
        assert status == 302, status
    else:
        assert status == expected, status


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker) -> Iterator[dict]:
    """tests/security/conftest.py's world, made once for the module's thousand
    cases instead of once for each (its making was most of their time).

    It stays inside a transaction of the module's own, rolled back at the end;
    each test's transaction is a savepoint within it, so whatever a request
    writes is undone before the next test, as before. The objects are the
    same for every test: `_footprint` reads the ticket afresh, and signing in
    only stamps `last_login`. (A `transaction=True` test would flush the
    tables under it: none may join this module.)"""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            made = make_world()
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    try:
        yield made
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


CASES = [
    (name, role, method)
    for name in sorted(EXPECTED)
    for role in ROLES + FORMER
    for method in ("get", "post")
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "role", "method"), CASES)
def test_authorisation(client, world, name, role, method) -> None:
    from django.urls import reverse

    if role != "anonymous":
        sign_in(client, world["users"][role])
    url = reverse(name, kwargs=world["kwargs"].get(name))
    as_role = "anonymous" if role in FORMER else role
    expected = EXPECTED[name][0 if method == "get" else 1][as_role]
    before = _footprint(world["ticket"])

    response = getattr(client, method)(url)
    if hasattr(response, "streaming_content"):
        b"".join(response.streaming_content)

    _check(response, expected, method)
    if expected in (LOGIN, FORBIDDEN, NOT_FOUND, NO_METHOD, NO_TOKEN):
        assert _footprint(world["ticket"]) == before


@pytest.mark.django_db
def test_the_admin_sends_visitors_to_the_portals_sign_in(client) -> None:
    response = client.get("/admin/")
    assert response["Location"].startswith("/admin/login/")

    login = client.get(response["Location"])

    assert login.status_code == 302
    assert login["Location"] == "/accounts/login/?next=%2Fadmin%2F"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "status"),
    [("manager_a", 403), ("agent", 200), ("admin", 200)],
)
def test_the_admin_is_for_staff(client, world, role, status) -> None:
    sign_in(client, world["users"][role])

    assert client.get("/admin/", follow=True).status_code == status


@pytest.mark.django_db
def test_a_deactivated_agents_session_is_sent_to_sign_in_by_the_admin(
    client, world
) -> None:
    sign_in(client, world["users"]["deactivated_agent"])

    response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
