from __future__ import annotations

import datetime

import pytest
from django.utils.timezone import now

from accounts.models import Membership, User
from accounts.services import invite_contact

pytestmark = pytest.mark.django_db


@pytest.fixture
def invitation(organisation):
    return invite_contact(
        organisation,
        email="new@alfa.example",
        full_name="Новый Контакт",
        position="Инженер",
        role=Membership.Role.MEMBER,
    )


def _sign_up(client, email: str = "new@alfa.example"):
    return client.post(
        "/accounts/signup/",
        {
            "email": email,
            "password1": "a-long-pass-phrase-2026",
            "password2": "a-long-pass-phrase-2026",
            "consent": "on",
        },
    )


def test_the_link_opens_sign_up_for_the_invited_address(client, invitation) -> None:
    response = client.get(f"/invitation/{invitation.token}/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/signup/?email=new%40alfa.example"
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert 'value="new@alfa.example"' in page.content.decode()


def test_signing_up_makes_a_contact_and_asks_to_verify_the_address(
    client, invitation, organisation, mailoutbox
) -> None:
    client.get(f"/invitation/{invitation.token}/")

    response = _sign_up(client)

    assert response.status_code == 302
    user = User.objects.get(email="new@alfa.example")
    assert user.full_name == "Новый Контакт"
    assert user.membership.organisation == organisation
    invitation.refresh_from_db()
    assert invitation.accepted_by == user
    assert any("/accounts/confirm-email/" in m.body for m in mailoutbox)


def test_sign_up_without_an_invitation_leads_to_the_access_request(client) -> None:
    posted = _sign_up(client, email="stranger@example.com")
    opened = client.get("/accounts/signup/", HTTP_ACCEPT_LANGUAGE="en", follow=True)

    assert not User.objects.filter(email="stranger@example.com").exists()
    assert posted.status_code == 302
    assert posted["Location"] == "/access/"
    assert opened.redirect_chain == [("/access/", 302)]
    # The refused post's, in the site's language, then this one's.
    assert [str(m)[:30] for m in opened.context["messages"]] == [
        "Учётные записи открываются по ",
        "Accounts are opened on request",
    ]


@pytest.mark.parametrize(
    ("language", "sentence"),
    [
        ("en", "No account yet? Portal access is given on request"),
        ("ru", "Нет учётной записи? Доступ к порталу открывается по запросу"),
    ],
)
def test_the_sign_in_page_points_to_the_access_request(
    client, language, sentence
) -> None:
    html = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE=language).text

    assert sentence in html
    assert 'href="/access/"' in html
    assert "/accounts/signup/" not in html


def test_a_password_reset_for_an_unknown_address_leads_to_the_access_request(
    client, mailoutbox
) -> None:
    client.post("/accounts/password/reset/", {"email": "nobody@example.com"})

    [mail] = mailoutbox
    assert "доступ к порталу открывается по запросу" in mail.body
    link = next(
        line.strip() for line in mail.body.splitlines() if "/accounts/signup/" in line
    )
    path = link.split("://", 1)[1].split("/", 1)[1]
    assert client.get(f"/{path}")["Location"] == "/access/"


def test_the_invitation_is_for_its_own_address_only(client, invitation) -> None:
    client.get(f"/invitation/{invitation.token}/")

    response = _sign_up(client, email="someone-else@alfa.example")

    assert response.status_code == 200
    assert not User.objects.filter(email="someone-else@alfa.example").exists()


def test_an_expired_or_unknown_link_is_refused(client, invitation) -> None:
    invitation.expires_at = now() - datetime.timedelta(minutes=1)
    invitation.save()

    assert client.get(f"/invitation/{invitation.token}/").status_code == 404
    assert client.get("/invitation/not-a-token/").status_code == 404
