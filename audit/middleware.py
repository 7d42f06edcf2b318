"""The address of the request being answered, for the entries written while
it is: a service called from a view records where the change came from
without taking the request as a parameter (as `helpdesk.audit.current_via`
gives the token it came through)."""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar

from django.http import HttpRequest, HttpResponse

from helpdesk.http import client_address

_address: ContextVar[str] = ContextVar("client_address", default="")


def current_address() -> str:
    """Empty outside a request: a task or a command comes from nowhere."""
    return _address.get()


class ClientAddressMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        reset = _address.set(client_address(request))
        try:
            return self.get_response(request)
        finally:
            _address.reset(reset)
