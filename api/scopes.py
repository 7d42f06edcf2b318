"""What a token may do. Each endpoint names the scope it needs; a token holds
a list of them. An organisation's integration may hold the ticket scopes
only: licences, organisations and contacts are the vendor's to write."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Scope(models.TextChoices):
    TICKETS_READ = "tickets:read", _("Read tickets")
    TICKETS_WRITE = "tickets:write", _("File and answer tickets, change their status")
    LICENCES_WRITE = "licences:write", _("Create and renew licences")
    ORGANISATIONS_WRITE = "organisations:write", _("Create and change organisations")
    CONTACTS_WRITE = "contacts:write", _("Create and deactivate contacts")
    ACCESS_REQUESTS_READ = "access_requests:read", _("Read access requests")


ORGANISATION_SCOPES = frozenset({Scope.TICKETS_READ, Scope.TICKETS_WRITE})
