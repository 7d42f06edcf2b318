from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/admin/", "/staff/access-requests/"])
def test_staff_without_an_authenticator_must_set_one_up(
    client, agent_without_two_factor, path
) -> None:
    client.force_login(agent_without_two_factor)

    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/totp/activate/"


def test_staff_with_an_authenticator_get_in(client, agent) -> None:
    client.force_login(agent)

    assert client.get("/staff/access-requests/").status_code == 200


def test_customers_are_not_asked_for_a_second_factor(client, customer) -> None:
    client.force_login(customer)

    assert client.get("/").status_code == 200
    assert client.get("/accounts/2fa/").status_code == 200
