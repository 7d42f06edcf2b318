from __future__ import annotations

from celery import shared_task
from django.core.mail import EmailMultiAlternatives


@shared_task(
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
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


# SMTP errors are OSErrors; a retry sends only what is still unsent.
@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def send_subscription_reminders() -> int:
    # Imported here: the services queue mail through deliver_email above.
    from accounts.services import send_subscription_reminders as send

    return send()


@shared_task
def preview_licence_import(licence_import_id: int) -> None:
    from accounts.licence_import import preview_import
    from accounts.models import LicenceImport

    preview_import(LicenceImport.objects.get(pk=licence_import_id))


@shared_task
def apply_licence_import(licence_import_id: int) -> None:
    from accounts.licence_import import apply_import
    from accounts.models import LicenceImport

    apply_import(LicenceImport.objects.get(pk=licence_import_id))
