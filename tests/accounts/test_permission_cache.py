"""Permission sets are cached between requests and forgotten on any change."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import StaffRole, User
from tests.auth import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

DASHBOARD = "tickets.view_dashboard"


def fresh(user: User) -> User:
    """The user as the next request loads it."""
    return User.objects.get(pk=user.pk)


def test_a_second_request_asks_the_database_nothing_about_permissions(
    supervisor,
) -> None:
    assert fresh(supervisor).has_perm(DASHBOARD)

    with CaptureQueriesContext(connection) as queries:
        assert fresh(supervisor).has_perm(DASHBOARD)

    assert not any("auth_permission" in q["sql"] for q in queries.captured_queries)


def test_joining_a_group_takes_effect_on_the_next_request(agent) -> None:
    assert not fresh(agent).has_perm(DASHBOARD)

    agent.groups.add(Group.objects.get(name=StaffRole.SUPERVISOR.value))

    assert fresh(agent).has_perm(DASHBOARD)


def test_a_permission_taken_from_a_group_is_gone_on_the_next_request(
    supervisor,
) -> None:
    assert fresh(supervisor).has_perm(DASHBOARD)

    Group.objects.get(name=StaffRole.SUPERVISOR.value).permissions.remove(
        Permission.objects.get(codename="view_dashboard")
    )

    assert not fresh(supervisor).has_perm(DASHBOARD)


def test_a_permission_given_to_the_user_counts_at_once(agent) -> None:
    assert not fresh(agent).has_perm(DASHBOARD)

    agent.user_permissions.add(Permission.objects.get(codename="view_dashboard"))

    assert fresh(agent).has_perm(DASHBOARD)


def test_superuser_and_active_flags_are_read_from_the_user_each_time(agent) -> None:
    assert not fresh(agent).has_perm(DASHBOARD)

    User.objects.filter(pk=agent.pk).update(is_superuser=True)
    assert fresh(agent).has_perm(DASHBOARD)

    User.objects.filter(pk=agent.pk).update(is_active=False)
    assert not fresh(agent).has_perm(DASHBOARD)


def test_the_menu_shows_the_dashboard_by_the_current_permissions(client, agent) -> None:
    sign_in(client, agent)
    assert "/staff/dashboard/" not in client.get("/staff/queue/").content.decode()

    agent.groups.add(Group.objects.get(name=StaffRole.SUPERVISOR.value))

    assert "/staff/dashboard/" in client.get("/staff/queue/").content.decode()
    assert client.get("/staff/dashboard/").status_code == 200
