from __future__ import annotations

import pytest

from tests.auth import current_totp_code, sign_in
from tests.factories import PASSWORD
from tickets.services import open_ticket

pytestmark = pytest.mark.django_db


# Staff see every organisation's tickets on the ticket pages too.
STAFF_PAGES = ["/admin/", "/staff/access-requests/", "/staff/queue/", "/tickets/"]


@pytest.mark.parametrize("path", STAFF_PAGES)
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


@pytest.mark.parametrize("path", STAFF_PAGES)
def test_a_password_alone_does_not_open_staff_pages(client, agent, path) -> None:
    sign_in(client, agent, second_factor=False)

    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/reauthenticate/")


def test_nor_a_ticket_page(client, agent, customer, active_licence) -> None:
    ticket = open_ticket(
        contact=customer,
        licence=active_licence,
        subject="Сервер не стартует",
        description="Подробности",
        category="other",
    )
    sign_in(client, agent, second_factor=False)

    response = client.get(ticket.get_absolute_url())

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/reauthenticate/")


def test_the_public_home_page_shows_staff_no_customer_data(
    client, agent_without_two_factor, active_licence
) -> None:
    sign_in(client, agent_without_two_factor)

    page = client.get("/").content.decode()

    assert active_licence.number not in page
    assert active_licence.organisation.name not in page
    assert 'href="/staff/queue/"' in page


def test_staff_without_a_second_factor_may_set_one_up_and_sign_out(
    client, agent_without_two_factor
) -> None:
    sign_in(client, agent_without_two_factor)

    # allauth's own pages: not sent round to the one they are on.
    setting_up = client.get("/accounts/2fa/totp/activate/")
    assert (
        setting_up.get("Location", "").split("?")[0] != "/accounts/2fa/totp/activate/"
    )
    assert client.get("/accounts/reauthenticate/").status_code == 200
    assert client.get("/support-hours/").status_code == 200
    assert client.post("/accounts/logout/").status_code == 302


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


@pytest.mark.parametrize(
    ("role", "lands"),
    [
        ("agent", "/staff/queue/"),
        ("supervisor", "/staff/dashboard/"),
        ("admin_user", "/admin/"),
    ],
)
def test_staff_land_where_they_work_after_signing_in(
    client, request, role, lands
) -> None:
    user = request.getfixturevalue(role)
    client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    response = client.post("/accounts/2fa/authenticate/", {"code": current_totp_code()})

    assert response.status_code == 302
    assert response["Location"] == lands


def test_a_next_still_wins(client, agent) -> None:
    client.post(
        "/accounts/login/",
        {"login": agent.email, "password": PASSWORD, "next": "/staff/mail/"},
    )
    response = client.post("/accounts/2fa/authenticate/", {"code": current_totp_code()})

    assert response["Location"] == "/staff/mail/"


def test_the_admin_never_shows_a_second_factors_secret(
    client, admin_user, agent
) -> None:
    """allauth keeps the TOTP key as it is; its own admin showed it, enough
    for an administrator to make an agent's codes unnoticed."""
    from allauth.mfa.models import Authenticator

    from tests.conftest import STAFF_TOTP_SECRET

    # Only a superuser may see them (the roles give no one this model).
    admin_user.is_superuser = True
    admin_user.save(update_fields=["is_superuser"])
    sign_in(client, admin_user)
    authenticator = Authenticator.objects.get(user=agent)
    pages = [
        client.get("/admin/mfa/authenticator/"),
        client.get(f"/admin/mfa/authenticator/{authenticator.pk}/change/"),
    ]

    assert [page.status_code for page in pages] == [200, 200]
    assert agent.email in pages[0].content.decode()
    # allauth names the model in English alone: the breadcrumbs say it in Russian.
    assert all("Authenticators" not in page.content.decode() for page in pages)
    assert all("Аутентификаторы" in page.content.decode() for page in pages)
    assert all(STAFF_TOTP_SECRET not in page.content.decode() for page in pages)
    assert all("secret" not in page.content.decode() for page in pages)
    # Deleting one lets the agent set up another (a lost phone).
    deleted = client.post(
        f"/admin/mfa/authenticator/{authenticator.pk}/delete/", {"post": "yes"}
    )
    assert deleted.status_code == 302
    assert not Authenticator.objects.filter(pk=authenticator.pk).exists()
