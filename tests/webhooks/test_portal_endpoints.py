"""The organisation manager's webhook pages: add, remove, rotate, enable."""

from __future__ import annotations

import pytest
from django.utils.timezone import now

from accounts.models import Membership
from tests.auth import sign_in
from tests.factories import MembershipFactory
from tests.webhooks.conftest import endpoint_for
from webhooks.models import Endpoint

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager_client(client, customer):
    sign_in(client, customer)
    return client


def test_the_manager_adds_an_address_and_sees_its_secret(
    manager_client, organisation_integration, allow_private
) -> None:
    url = f"/organisation/webhooks/integrations/{organisation_integration.pk}/"
    response = manager_client.post(
        url,
        {
            "url": "http://127.0.0.1:9/hook",
            "event_types": ["ticket.created", "ticket.status_changed"],
        },
    )

    assert response.status_code == 302
    endpoint = Endpoint.objects.get()
    assert endpoint.integration == organisation_integration
    assert endpoint.event_types == ["ticket.created", "ticket.status_changed"]
    page = manager_client.get(url)
    assert endpoint.secret in page.content.decode()
    # Access requests are the vendor's: not offered to an organisation.
    assert "access_request.created" not in page.content.decode()
    integrations = manager_client.get("/organisation/integrations/").content.decode()
    assert url in integrations


def test_an_address_inside_the_network_is_refused_with_the_reason(
    manager_client, organisation_integration, settings
) -> None:
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    response = manager_client.post(
        f"/organisation/webhooks/integrations/{organisation_integration.pk}/",
        {"url": "https://10.0.0.8/hook", "event_types": ["ticket.created"]},
    )

    assert response.status_code == 400
    assert b'class="error-summary"' in response.content
    assert "10.0.0.8" in response.content.decode()
    assert not Endpoint.objects.exists()


def test_the_manager_rotates_enables_and_removes(
    manager_client, organisation_integration, allow_private
) -> None:
    endpoint = endpoint_for(organisation_integration, "http://127.0.0.1:9/hook")
    old = endpoint.secret
    Endpoint.objects.filter(pk=endpoint.pk).update(is_active=False, disabled_at=now())

    assert (
        manager_client.post(f"/organisation/webhooks/{endpoint.pk}/rotate/").status_code
        == 302
    )
    assert (
        manager_client.post(f"/organisation/webhooks/{endpoint.pk}/enable/").status_code
        == 302
    )
    endpoint.refresh_from_db()
    assert endpoint.secret != old
    assert endpoint.signing_secrets() == [endpoint.secret, old]
    assert endpoint.is_active

    assert (
        manager_client.post(f"/organisation/webhooks/{endpoint.pk}/delete/").status_code
        == 302
    )
    assert not Endpoint.objects.exists()


def test_changes_are_posts_only(manager_client, organisation_integration) -> None:
    endpoint = endpoint_for(organisation_integration, "https://ours.example/hook")
    for action in ("rotate", "enable", "delete"):
        response = manager_client.get(f"/organisation/webhooks/{endpoint.pk}/{action}/")
        assert response.status_code == 405


def test_another_organisation_s_manager_gets_404(
    client, organisation_integration, other_organisation
) -> None:
    endpoint = endpoint_for(organisation_integration, "https://ours.example/hook")
    other_manager = MembershipFactory(
        organisation=other_organisation, role=Membership.Role.MANAGER
    ).user
    sign_in(client, other_manager)

    assert (
        client.get(
            f"/organisation/webhooks/integrations/{organisation_integration.pk}/"
        ).status_code
        == 404
    )
    for action in ("rotate", "enable", "delete"):
        response = client.post(f"/organisation/webhooks/{endpoint.pk}/{action}/")
        assert response.status_code == 404
    assert Endpoint.objects.get().secret == endpoint.secret


def test_a_member_and_staff_get_403(
    client, colleague, agent, organisation_integration
) -> None:
    url = f"/organisation/webhooks/integrations/{organisation_integration.pk}/"
    for user in (colleague, agent):
        sign_in(client, user)
        assert client.get(url).status_code == 403
