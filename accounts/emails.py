from __future__ import annotations

from functools import partial

from django.db import transaction

from accounts.tasks import deliver_email


def queue_email(
    to: list[str],
    *,
    subject: str,
    body: str,
    html_body: str = "",
    headers: dict[str, str] | None = None,
) -> None:
    """Send the message from a worker once the current transaction commits.

    A rolled-back change must not tell anyone it happened, and the worker must
    find the rows the message speaks of.
    """
    transaction.on_commit(
        partial(
            deliver_email.delay,
            to=to,
            subject=subject,
            body=body,
            html_body=html_body,
            headers=headers,
        )
    )
