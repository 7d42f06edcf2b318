"""Accounts' background work: thin tasks over `accounts.services` and the
licence import. Account e-mail goes through the outbox (`outbox.email`)."""

from __future__ import annotations

from celery import shared_task

from accounts import services
from accounts.licence_import import apply_import, preview_import
from accounts.models import LicenceImport


# SMTP errors are OSErrors; a retry sends only what is still unsent.
@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def send_subscription_reminders() -> int:
    return services.send_subscription_reminders()


@shared_task
def preview_licence_import(licence_import_id: int) -> None:
    preview_import(LicenceImport.objects.get(pk=licence_import_id))


@shared_task
def apply_licence_import(licence_import_id: int) -> None:
    apply_import(LicenceImport.objects.get(pk=licence_import_id))
