"""The support mailbox over IMAP: each message stored and processed, then deleted."""

from __future__ import annotations

import contextlib
import imaplib
import logging

from celery import shared_task
from django.conf import settings

from tickets.email.incoming import ingest
from tickets.models import InboundEmail

logger = logging.getLogger(__name__)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def poll_mailbox() -> int:
    """Fetch every message of the IMAP folder; delete each once it is stored and processed."""
    if not settings.IMAP_HOST:
        return 0
    connection_class = imaplib.IMAP4_SSL if settings.IMAP_SSL else imaplib.IMAP4
    connection = connection_class(settings.IMAP_HOST, settings.IMAP_PORT, timeout=60)
    fetched = 0
    try:
        connection.login(settings.IMAP_USER, settings.IMAP_PASSWORD)
        status, _data = connection.select(f'"{settings.IMAP_FOLDER}"')
        if status != "OK":
            raise OSError(f"IMAP folder {settings.IMAP_FOLDER} cannot be opened")
        status, data = connection.uid("SEARCH", None, "UNDELETED")
        uids = data[0].split() if data and data[0] else []
        for uid in uids[: settings.IMAP_BATCH_SIZE]:
            status, parts = connection.uid("FETCH", uid, "(BODY.PEEK[])")
            raw = next(
                (p[1] for p in parts or [] if isinstance(p, tuple) and len(p) > 1),
                None,
            )
            if status != "OK" or raw is None:
                continue
            ingest(raw, source=InboundEmail.Source.IMAP)  # committed on return
            connection.uid("STORE", uid, "+FLAGS.SILENT", r"(\Seen \Deleted)")
            fetched += 1
        connection.expunge()
    finally:
        with contextlib.suppress(OSError, imaplib.IMAP4.error):
            connection.logout()
    return fetched
