"""Canned responses and macros' texts filled for one ticket, in its
customer's language."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Mapping
from typing import TypeVar

from django.utils import formats, translation

from accounts.models import User
from tickets.models import CannedResponse, Macro, Ticket

Filled = TypeVar("Filled", CannedResponse, Macro)

# Only these names are filled; any other text in braces (code samples, JSON)
# is left exactly as written, which `str.format` would not do. Plain
# substitution, never a template: the text is staff input and runs nothing.
PLACEHOLDERS = (
    "customer_name",
    "licence_number",
    "support_ends_on",
    "reference",
    "agent_name",
)
_PLACEHOLDER = re.compile(r"\{(" + "|".join(PLACEHOLDERS) + r")\}")


def fill(text: str, values: Mapping[str, str]) -> str:
    return _PLACEHOLDER.sub(lambda match: values.get(match.group(1), ""), text)


def placeholder_values(
    ticket: Ticket,
    *,
    support_ends_on: datetime.date | None,
    language: str,
    agent: User | None = None,
) -> dict[str, str]:
    """What the placeholders stand for on this ticket; the date in `language`;
    the agent is who sends the text."""
    with translation.override(language):
        ends_on = formats.date_format(support_ends_on) if support_ends_on else "—"
    return {
        "customer_name": ticket.contact.full_name or ticket.contact.email,
        "licence_number": ticket.licence.number,
        "support_ends_on": ends_on,
        "reference": ticket.reference,
        "agent_name": (agent.full_name or agent.email) if agent else "",
    }


def filled_responses(
    responses: Iterable[Filled],
    ticket: Ticket,
    *,
    support_ends_on: datetime.date | None,
    agent: User | None = None,
) -> list[tuple[Filled, str]]:
    """Each response (or macro) with its text for this ticket, in the
    contact's language."""
    language = ticket.contact.language
    values = placeholder_values(
        ticket, support_ends_on=support_ends_on, language=language, agent=agent
    )
    return [
        (response, fill(response.body_in(language), values)) for response in responses
    ]
