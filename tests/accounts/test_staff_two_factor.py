from __future__ import annotations

import pytest

from tests.auth import sign_in

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/admin/", "/staff/access-requests/"])
def test_staff_without_an_authenticator_must_set_one_up(
    client, agent_without_two_factor, path
) -> None:
    sign_in(client, agent_without_two_factor)

    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/totp/activate/"


def test_staff_with_an_authenticator_get_in(client, agent) -> None:
    sign_in(client, agent)

    assert client.get("/staff/access-requests/").status_code == 200


def test_customers_are_not_asked_for_a_second_factor(client, customer) -> None:
    client.force_login(customer)

    assert client.get("/").status_code == 200
    assert client.get("/accounts/2fa/").status_code == 200


def test_a_password_alone_does_not_open_staff_pages(client, agent) -> None:
    sign_in(client, agent, second_factor=False)

    response = client.get("/staff/access-requests/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/reauthenticate/")


def test_the_admin_login_is_allauths_with_its_second_factor(client, admin_user) -> None:
    response = client.get("/admin/login/?next=/admin/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    client.post(
        "/admin/login/",
        {"username": admin_user.email, "password": "correct-horse-battery"},
    )
    assert "_auth_user_id" not in client.session


def test_public_answers_do_not_vary_on_the_cookie(client) -> None:
    response = client.get("/api/schedule/status")

    assert "Cookie" not in response.get("Vary", "")
