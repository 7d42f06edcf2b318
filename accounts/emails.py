from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def deliver_email(
    to: list[str],
    subject: str,
    body: str,
    html_body: str = "",
    headers: dict[str, str] | None = None,
) -> None:
    """Send one prepared message; a connection failure is retried with backoff."""
    message = EmailMultiAlternatives(
        subject=subject, body=body, to=to, headers=headers or {}
    )
    if html_body:
        message.attach_alternative(html_body, "text/html")
    message.send()


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

    def deliver_after_commit() -> None:  # named: Django logs robust failures by name
        deliver_email.delay(
            to=to, subject=subject, body=body, html_body=html_body, headers=headers
        )

    # A broker that is down must not turn a committed change into an error page.
    transaction.on_commit(deliver_after_commit, robust=True)


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
) -> None:
    """Render in the recipient's language now; send from a worker after commit."""
    subject, body = render_templated_email(template, context, language=language)
    queue_email(to, subject=subject, body=body, headers=AUTOMATIC)


def send_templated_email(
    to: list[str], template: str, context: dict, *, language: str | None = None
) -> None:
    """Render and send at once, for callers that must know the mail went out."""
    subject, body = render_templated_email(template, context, language=language)
    EmailMultiAlternatives(subject=subject, body=body, to=to, headers=AUTOMATIC).send()
