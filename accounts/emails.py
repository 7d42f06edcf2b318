from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from outbox import email as outbox
from outbox.models import OutgoingEmail


def queue_email(
    to: list[str],
    *,
    subject: str,
    body: str,
    html_body: str = "",
    headers: dict[str, str] | None = None,
) -> OutgoingEmail:
    """Write the message to the outbox in the current transaction; a worker
    sends it once the transaction commits, exactly once.

    A rolled-back change must not tell anyone it happened, and the worker must
    find the rows the message speaks of.
    """
    return outbox.queue(
        to, subject=subject, body=body, html_body=html_body, headers=headers
    )


def render_templated_email(
    template: str, context: dict, *, language: str | None
) -> tuple[str, str]:
    """Subject and body from `<template>_subject.txt` and `_body.txt`, in that language."""
    context = {"site_url": settings.SITE_URL, **context}
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = render_to_string(f"{template}_subject.txt", context).strip()
        body = render_to_string(f"{template}_body.txt", context)
    return " ".join(subject.split()), body


AUTOMATIC = {"Auto-Submitted": "auto-generated"}


def queue_templated_email(
    to: list[str], template: str, context: dict, *, language: str | None = None
) -> OutgoingEmail:
    """Render in the recipient's language now; send from a worker after commit."""
    subject, body = render_templated_email(template, context, language=language)
    return queue_email(to, subject=subject, body=body, headers=AUTOMATIC)
