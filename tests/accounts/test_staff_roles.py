from __future__ import annotations

import pytest

from tests.auth import sign_in

pytestmark = pytest.mark.django_db


def test_an_administrator_cannot_make_anyone_a_superuser(
    client, admin_user, agent
) -> None:
    admin_user.is_superuser = False
    admin_user.save()
    sign_in(client, admin_user)
    url = f"/admin/accounts/user/{agent.pk}/change/"

    page = client.get(url).content.decode()
    client.post(
        url,
        {
            "email": agent.email,
            "full_name": agent.full_name,
            "language": "ru",
            "is_active": "on",
            "is_staff": "on",
            "is_superuser": "on",
            "groups": [g.pk for g in agent.groups.all()],
        },
    )

    agent.refresh_from_db()
    assert 'name="is_superuser"' not in page
    assert not agent.is_superuser


@pytest.mark.parametrize(
    ("role", "url", "status"),
    [
        ("admin_user", "/admin/schedule/weeklyhours/", 200),
        ("agent", "/admin/schedule/weeklyhours/", 200),
        ("agent", "/admin/schedule/weeklyhours/add/", 403),
        ("agent", "/admin/tickets/ticket/", 200),
        ("agent", "/admin/accounts/licence/import/", 403),
    ],
)
def test_role_permissions(client, request, role, url, status) -> None:
    user = request.getfixturevalue(role)
    sign_in(client, user)

    assert client.get(url).status_code == status


@pytest.mark.parametrize(
    ("role", "url", "status"),
    [
        ("admin_user", "/admin/tickets/slatarget/", 200),
        ("supervisor", "/admin/tickets/cannedresponse/add/", 200),
        ("agent", "/admin/tickets/cannedresponse/add/", 403),
    ],
)
def test_workspace_settings_belong_to_supervisors_and_admins(
    client, request, role, url, status
) -> None:
    sign_in(client, request.getfixturevalue(role))

    assert client.get(url).status_code == status
