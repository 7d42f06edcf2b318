"""What the API changes outside tickets is written in the admin's history
of the object (its "History" page), naming the token it came through, as a
change made in the admin names its author. Tickets record it in their own
history (`TicketEvent.via`), accounts in theirs (`AccountEvent.via`)."""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.db import models
from django.utils.translation import gettext as _
from rest_framework.request import Request


def record(
    request: Request, objects: Sequence[models.Model], *, created: bool, what: str = ""
) -> None:
    if not objects:
        return
    through = _("Through the API: %(token)s.") % {"token": request.auth.label}
    LogEntry.objects.log_actions(
        request.user.pk,
        objects,
        ADDITION if created else CHANGE,
        f"{what} {through}".strip(),
    )
