"""A person's data as one ZIP archive, on their request (staff build it in
the admin): `profile.json` (the account, its organisation, consents and
account events), `tickets.json` (the tickets they filed, with every
message they may read and the history) and the files attached to those
messages under `attachments/`. Built in a temporary file on disk, a file
at a time, so a large attachment never sits in memory."""

from __future__ import annotations

import json
import shutil
import tempfile
import zipfile
from typing import IO

from django.core.serializers.json import DjangoJSONEncoder

from accounts.models import AccountEvent, Consent, User
from tickets.models import Attachment, Message, Ticket, TicketEvent

# Bytes copied at a time from a stored file into the archive.
CHUNK = 1024 * 1024


def _dump(data: object) -> str:
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)


def profile_of(user: User) -> dict:
    membership = user.membership_or_none
    return {
        "account": {
            "email": user.email,
            "full_name": user.full_name,
            "position": user.position,
            "phone": user.phone.as_e164 if user.phone else "",
            "mobile_phone": user.mobile_phone.as_e164 if user.mobile_phone else "",
            "language": user.language,
            "is_active": user.is_active,
            "created_at": user.created_at,
            "last_login": user.last_login,
        },
        "memberships": (
            []
            if membership is None
            else [
                {
                    "organisation": membership.organisation.name,
                    "tax_id": membership.organisation.tax_id,
                    "role": membership.role,
                    "since": membership.created_at,
                }
            ]
        ),
        "consents": [
            {
                "purpose": consent.purpose,
                "version": consent.version,
                "given_at": consent.created_at,
                "ip_address": consent.ip_address,
            }
            for consent in Consent.objects.filter(user=user).order_by("created_at")
        ],
        "account_events": [
            {"kind": event.kind, "at": event.created_at, "note": event.note}
            for event in AccountEvent.objects.filter(user=user).order_by("created_at")
        ],
        "telegram": (
            {"linked_at": user.telegram_link.linked_at}
            if hasattr(user, "telegram_link")
            else None
        ),
    }


def _attachment_path(attachment: Attachment) -> str:
    # The stored name is a random one; the code keeps two "log.txt" apart.
    return f"attachments/{attachment.code}/{attachment.original_name}"


def tickets_of(user: User) -> tuple[list[dict], list[Attachment]]:
    """The tickets the person filed, with what a customer may read of them
    (internal notes are support's own), and the files to put beside them."""
    tickets = (
        Ticket.objects.filter(contact=user)
        .select_related("organisation", "licence")
        .order_by("created_at", "pk")
    )
    files: list[Attachment] = []
    data = []
    for ticket in tickets:
        messages = (
            Message.objects.filter(ticket=ticket)
            .public()
            .select_related("author")
            .prefetch_related("attachments")
            .order_by("created_at", "pk")
        )
        entries = []
        for message in messages:
            attached = []
            for attachment in message.attachments.all():
                entry = {
                    "name": attachment.original_name,
                    "size": attachment.size,
                    "content_type": attachment.content_type,
                }
                if attachment.is_removed or not attachment.file:
                    entry["removed_at"] = attachment.removed_at
                else:
                    entry["path"] = _attachment_path(attachment)
                    files.append(attachment)
                attached.append(entry)
            entries.append(
                {
                    "at": message.created_at,
                    "kind": message.kind,
                    "channel": message.channel,
                    "by_them": message.author_id == user.pk,
                    "author": message.author.get_full_name(),
                    "text": message.body,
                    "attachments": attached,
                }
            )
        events = (
            TicketEvent.objects.filter(ticket=ticket)
            .select_related("message")
            .order_by("created_at", "pk")
        )
        data.append(
            {
                "reference": ticket.reference,
                "subject": ticket.subject,
                "organisation": ticket.organisation.name,
                "licence": ticket.licence.number if ticket.licence else None,
                "status": ticket.status,
                "category": ticket.category,
                "priority": ticket.priority,
                "channel": ticket.channel,
                "contact_email": ticket.contact_email,
                "contact_phone": (
                    ticket.contact_phone.as_e164 if ticket.contact_phone else ""
                ),
                "created_at": ticket.created_at,
                "closed_at": ticket.closed_at,
                "messages": entries,
                "history": [
                    {
                        "at": event.created_at,
                        "kind": event.kind,
                        "old_value": event.old_value,
                        "new_value": event.new_value,
                        "by_them": event.actor_id == user.pk,
                    }
                    for event in events
                    if event.kind != TicketEvent.Kind.MESSAGE
                    or event.message_id is None
                    or not event.message.is_internal
                ],
            }
        )
    return data, files


def build_export(user: User) -> IO[bytes]:
    """The archive of the person's data, as an open temporary file at its
    start; closing it deletes it."""
    # Handed to the response, which closes it once sent.
    archive = tempfile.TemporaryFile(suffix=".zip")  # noqa: SIM115
    tickets, files = tickets_of(user)
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("profile.json", _dump(profile_of(user)))
        zipped.writestr("tickets.json", _dump(tickets))
        for attachment in files:
            with (
                attachment.file.open("rb") as stored,
                zipped.open(_attachment_path(attachment), "w") as entry,
            ):
                shutil.copyfileobj(stored, entry, CHUNK)
    archive.seek(0)
    return archive


def export_filename(user: User) -> str:
    return f"personal-data-{user.pk}.zip"
