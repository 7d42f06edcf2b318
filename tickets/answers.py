"""Answers offered to a customer before their question becomes a ticket.

The knowledge base has them, but it stands on `tickets`, which may not
import it: it registers a provider here from its `AppConfig.ready()`, as
the apps above `tickets` listen to its events (`outbox.events`). With no
provider, nothing is offered. What a customer then does (opens an answer,
says it solved the question, files the ticket anyway) the provider records.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from accounts.models import User

__all__ = ["Answer", "Offer", "Provider", "offer", "register", "solved"]


@dataclass(frozen=True)
class Answer:
    title: str
    # Where the customer reads it; the visit is recorded.
    url: str


@dataclass(frozen=True)
class Offer:
    # What `solved` is given back to name the offer.
    key: str
    answers: list[Answer]


class Provider(Protocol):
    def offer(
        self, user: User, subject: str, *, product: str, channel: str
    ) -> Offer | None: ...

    def solved(self, user: User, key: str, position: int) -> bool: ...


_providers: list[Provider] = []


def register(provider: Provider) -> None:
    if provider not in _providers:
        _providers.append(provider)


def offer(user: User, subject: str, *, product: str, channel: str) -> Offer | None:
    """Answers to the subject for the user, from the first provider that has any."""
    for provider in _providers:
        found = provider.offer(user, subject, product=product, channel=channel)
        if found is not None and found.answers:
            return found
    return None


def solved(user: User, key: str, position: int) -> bool:
    """Record that the answer at `position` (from 1) of the offer solved the
    question; False when no provider knows the offer."""
    return any(provider.solved(user, key, position) for provider in _providers)
