from __future__ import annotations

import pytest

from accounts.models import Invitation

pytestmark = pytest.mark.django_db

URL = "/organisation/contacts/"


def test_a_manager_sees_the_organisations_contacts(
    client, customer, colleague, outsider
) -> None:
    client.force_login(customer)

    text = client.get(URL).content.decode()

    assert colleague.email in text
    assert outsider.email not in text


def test_a_manager_invites_a_colleague(
    client, customer, organisation, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    client.force_login(customer)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            URL,
            {
                "email": "Third@Alfa.example",
                "full_name": "Третий",
                "position": "",
                "role": "member",
            },
        )

    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.organisation, invitation.invited_by) == (
        "third@alfa.example",
        organisation,
        customer,
    )
    assert mailoutbox[0].to == ["third@alfa.example"]


def test_inviting_an_existing_account_reveals_nothing(
    client, customer, outsider, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    client.force_login(customer)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            URL,
            {"email": outsider.email, "full_name": "X", "role": "member"},
            follow=True,
        )

    assert "Приглашение отправлено" in response.content.decode()
    assert not Invitation.objects.exists()
    assert mailoutbox[0].to == [outsider.email]
    assert "/accounts/password/reset/" in mailoutbox[0].body
    outsider.membership.refresh_from_db()
    assert outsider.membership.organisation != customer.membership.organisation


def test_a_removed_contact_can_be_invited_back(
    client, customer, colleague, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    client.force_login(customer)
    client.post(f"{URL}{colleague.pk}/remove/")

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            URL,
            {
                "email": colleague.email,
                "full_name": colleague.full_name,
                "role": "manager",
            },
        )
    invitation = Invitation.objects.get()
    client.logout()
    response = client.post(f"/invitation/{invitation.token}/", {"consent": "on"})

    assert response["Location"] == "/accounts/login/"
    colleague.refresh_from_db()
    assert colleague.is_active
    assert colleague.membership.role == "manager"


def test_a_manager_removes_a_colleagues_access(client, customer, colleague) -> None:
    client.force_login(customer)

    response = client.post(f"{URL}{colleague.pk}/remove/")

    assert response.status_code == 302
    colleague.refresh_from_db()
    assert not colleague.is_active


def test_a_manager_cannot_remove_another_organisations_contact(
    client, customer, outsider
) -> None:
    client.force_login(customer)

    assert client.post(f"{URL}{outsider.pk}/remove/").status_code == 404
    outsider.refresh_from_db()
    assert outsider.is_active


def test_members_may_not_manage_contacts(client, colleague, customer) -> None:
    client.force_login(colleague)

    assert client.get(URL).status_code == 403
    assert client.post(f"{URL}{customer.pk}/remove/").status_code == 403


def test_removing_is_post_only(client, customer, colleague) -> None:
    client.force_login(customer)

    assert client.get(f"{URL}{colleague.pk}/remove/").status_code == 405
