from __future__ import annotations

from functools import partial

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

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


def queue_templated_email(
    to: list[str], template: str, context: dict, *, language: str | None = None
) -> None:
    """Render `<template>_subject.txt` and `<template>_body.txt` in the recipient's language."""
    context = {"site_url": settings.SITE_URL, **context}
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = render_to_string(f"{template}_subject.txt", context).strip()
        body = render_to_string(f"{template}_body.txt", context)
    queue_email(
        to,
        subject=" ".join(subject.split()),
        body=body,
        headers={"Auto-Submitted": "auto-generated"},
    )
