"""Webhooks are not aimed inside the network: only https to public addresses,
checked when the address is saved and again before each send."""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

import pytest

from tests.webhooks.conftest import endpoint_for
from webhooks.delivery import deliver
from webhooks.forms import EndpointForm
from webhooks.models import Delivery
from webhooks.targets import TargetRefused, check_target


def _resolving_to(monkeypatch, address: str) -> None:
    family = socket.AF_INET6 if ":" in address else socket.AF_INET

    def getaddrinfo(host, port, *args, **kwargs):
        return [(family, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://127.1.2.3:8443/hook",
        "https://10.0.0.5/hook",
        "https://172.16.0.1/hook",
        "https://192.168.1.1/hook",
        "https://169.254.169.254/latest/meta-data/",
        "https://[::1]/hook",
        "https://[fe80::1]/hook",
        "https://[::ffff:127.0.0.1]/hook",
        "https://0.0.0.0/hook",
        "https://224.0.0.1/hook",
        "https://100.64.0.1/hook",
    ],
)
def test_inside_addresses_are_refused(settings, url) -> None:
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    with pytest.raises(TargetRefused) as refused:
        check_target(url)
    # The message names the host (its words are translated).
    assert urlsplit(url).hostname in str(refused.value)


def test_a_name_that_resolves_inside_is_refused(settings, monkeypatch) -> None:
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    _resolving_to(monkeypatch, "10.1.2.3")
    with pytest.raises(TargetRefused, match=r"hooks\.example"):
        check_target("https://hooks.example/in")


def test_http_is_refused_in_production(settings, monkeypatch) -> None:
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    _resolving_to(monkeypatch, "93.184.215.14")
    with pytest.raises(TargetRefused, match="https"):
        check_target("http://hooks.example/in")
    with pytest.raises(TargetRefused, match="https"):
        check_target("ftp://hooks.example/in")


def test_https_to_a_public_address_passes(settings, monkeypatch) -> None:
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    _resolving_to(monkeypatch, "93.184.215.14")
    target = check_target("https://hooks.example:8443/in?x=1")
    assert (target.host, target.port, target.path, target.address) == (
        "hooks.example",
        8443,
        "/in?x=1",
        "93.184.215.14",
    )


def test_the_setting_lets_loopback_and_http_through(settings) -> None:
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    assert check_target("http://127.0.0.1:8000/hook").address == "127.0.0.1"
    assert check_target("http://[::1]:8000/hook").address == "::1"


def test_the_form_says_why(settings) -> None:
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    form = EndpointForm(
        {"url": "https://169.254.169.254/", "event_types": ["ticket.created"]},
        organisation_only=True,
    )
    assert form.create(None) is None  # refused before the integration matters
    assert "169.254.169.254" in form.errors["url"][0]


@pytest.mark.django_db
def test_an_address_that_became_private_is_not_posted_to(
    settings, organisation_integration, receiver
) -> None:
    """Saved while allowed (or while DNS said otherwise); refused at send time."""
    endpoint = endpoint_for(organisation_integration, receiver.url)
    delivery = Delivery.objects.create(
        endpoint=endpoint, event_type="ticket.created", payload={"type": "x"}
    )
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False

    assert deliver(delivery.pk) is False

    delivery.refresh_from_db()
    assert receiver.requests == []
    assert "https" in delivery.last_error
    assert delivery.sent_at is None
    assert delivery.attempts == 1


@pytest.mark.django_db
def test_the_add_webhook_command_checks_its_target_and_events(
    admin_user, settings
) -> None:
    import io

    from django.core.management import CommandError, call_command

    from api.services import create_integration
    from webhooks.models import Endpoint

    create_integration("Биллинг", user=admin_user)
    out = io.StringIO()

    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    with pytest.raises(CommandError):
        call_command("add_webhook", "Биллинг", "http://127.0.0.1:9000/")
    with pytest.raises(CommandError, match="Unknown events"):
        call_command(
            "add_webhook", "Биллинг", "https://example.com/", events="nonsense"
        )
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    call_command(
        "add_webhook",
        "Биллинг",
        "http://127.0.0.1:9000/",
        events="ticket.created",
        stdout=out,
    )

    endpoint = Endpoint.objects.get()
    assert endpoint.event_types == ["ticket.created"]
    assert out.getvalue().strip() == endpoint.secret
