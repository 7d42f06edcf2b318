"""Where a webhook may be sent: not inside the network.

A webhook URL is typed by a customer, and the worker that posts to it sits
inside the vendor's network; without this check anyone could aim requests at
the database, the cache or a cloud metadata service. Only `https` to a host
whose every address is public passes, unless `WEBHOOKS_ALLOW_PRIVATE_TARGETS`
is set (tests, a development machine). Checked when an endpoint is saved
(with a message) and again before every send, since DNS answers change; the
send then connects to the address checked, never to a fresh lookup.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _


class TargetRefused(Exception):
    """The URL may not be posted to; the message says why, in the user's language."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str
    address: str  # the checked address to connect to


def _refusal(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    if address.is_loopback:
        return _("a loopback address")
    if address.is_link_local:
        return _("a link-local address")
    if address.is_multicast:
        return _("a multicast address")
    if address.is_unspecified:
        return _("an unspecified address")
    if address.is_private:
        return _("a private address")
    if address.is_reserved or not address.is_global:
        return _("a reserved address")
    return ""


def check_target(url: str) -> Target:
    """The URL's parts and a safe address of its host; `TargetRefused` if there is none."""
    allow_private = settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS
    parts = urlsplit(url)
    allowed_schemes = {"https", "http"} if allow_private else {"https"}
    if parts.scheme not in allowed_schemes:
        raise TargetRefused(_("Only https:// addresses are accepted."))
    if not parts.hostname:
        raise TargetRefused(_("The address names no host."))
    if parts.username or parts.password:
        raise TargetRefused(_("The address may not carry a user name or password."))
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as error:
        raise TargetRefused(_("The port is not a number.")) from error
    try:
        found = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        raise TargetRefused(
            _("The host %(host)s cannot be found.") % {"host": parts.hostname}
        ) from error
    addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in found]
    if not allow_private:
        # Every address must be public: a name that also points inside is refused.
        for address in addresses:
            refusal = _refusal(address)
            if refusal:
                raise TargetRefused(
                    _("%(host)s is %(what)s, inside a network: not accepted.")
                    % {"host": parts.hostname, "what": refusal}
                )
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Target(
        scheme=parts.scheme,
        host=parts.hostname,
        port=port,
        path=path,
        address=str(addresses[0]),
    )
