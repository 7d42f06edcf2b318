"""The audit log: what staff and accounts did outside tickets, append-only.

Tickets keep their own history (`TicketEvent`); this is the rest: sign-ins,
second factors, roles, licences, overrides, exports, tokens, erasure. An entry
is written once, by `audit.services.record`, and never changed: Django refuses
here, and on PostgreSQL a trigger refuses every UPDATE and every DELETE of an
entry younger than `RETENTION_FLOOR_DAYS` (migration 0002).

People are named by their account (a foreign key), never by a copy of their
name, address or phone: erasing a person (anonymising the account) must leave
no trace of them, and the log then shows what the account is called now.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import connection, models
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _

from helpdesk import audit as acting

# No entry younger than this can be deleted, whatever AUDIT_RETENTION_DAYS
# says: the trigger of migration 0002 holds the same figure, and the system
# check `audit.E001` refuses a shorter retention.
RETENTION_FLOOR_DAYS = 365


class AppendOnly(Exception):
    """An audit entry was about to be changed or deleted."""


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs: object) -> int:
        raise AppendOnly("Audit entries are never changed.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnly("Audit entries are deleted only by `prune`.")

    def prune(self, *, older_than: datetime.timedelta) -> int:
        """Delete entries older than `older_than` (the nightly retention run);
        how many went. Written as SQL: `delete()` refuses on purpose."""
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {AuditEntry._meta.db_table} WHERE created_at < %s",
                [now() - older_than],
            )
            return cursor.rowcount


class AuditEntry(models.Model):
    class Action(models.TextChoices):
        SIGN_IN = "sign_in", _("Signed in")
        SIGN_IN_FAILED = "sign_in_failed", _("Sign-in failed")
        SIGN_OUT = "sign_out", _("Signed out")
        SECOND_FACTOR_FAILED = "mfa_failed", _("Second-factor code refused")
        SECOND_FACTOR_ADDED = "mfa_added", _("Second factor added")
        SECOND_FACTOR_REMOVED = "mfa_removed", _("Second factor removed")
        RECOVERY_CODES_REGENERATED = (
            "recovery_codes_regenerated",
            _("Recovery codes regenerated"),
        )
        ROLE_CHANGED = "role_changed", _("Role changed")
        MEMBERSHIP_ADDED = "membership_added", _("Joined an organisation")
        MEMBERSHIP_REMOVED = "membership_removed", _("Removed from an organisation")
        ACCOUNT_DEACTIVATED = "account_deactivated", _("Account deactivated")
        ACCOUNT_REACTIVATED = "account_reactivated", _("Account reactivated")
        LICENCE_CREATED = "licence_created", _("Licence registered")
        LICENCE_CHANGED = "licence_changed", _("Licence changed")
        LICENCES_IMPORTED = "licences_imported", _("Licences imported")
        SUBSCRIPTION_RENEWED = "subscription_renewed", _("Subscription renewed")
        SUBSCRIPTION_CHANGED = "subscription_changed", _("Subscription changed")
        GATE_OVERRIDE = "gate_override", _("Ticket filed without active support")
        EXPORT = "export", _("Data exported")
        API_TOKEN_CREATED = "api_token_created", _("API token issued")
        API_TOKEN_REVOKED = "api_token_revoked", _("API token revoked")
        ANONYMISED = "anonymised", _("Personal data erased")

    created_at = models.DateTimeField(_("when"), default=now, db_index=True)
    action = models.CharField(_("action"), max_length=40, choices=Action)
    # PROTECT: an account that acted is anonymised, never deleted, while its
    # entries are kept (a deletion would have to change them, which the
    # trigger refuses anyway).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who"),
    )
    # What the action was done to, by kind ("user", "licence", "ticket") and
    # id: any model, and entries outlive the rows they name.
    target_type = models.CharField(_("object type"), max_length=40, blank=True)
    target_id = models.CharField(_("object id"), max_length=64, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    # The integration token a change was made through, if any.
    via = models.CharField(
        _("through"), max_length=200, blank=True, default=acting.current_via
    )
    # Ids, counts, field names; never a name, address or phone (see the top).
    data = models.JSONField(_("details"), default=dict, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.target}".strip()

    def save(self, *args: object, **kwargs: object) -> None:
        if not self._state.adding:
            raise AppendOnly("Audit entries are never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise AppendOnly("Audit entries are deleted only by `prune`.")

    @property
    def target(self) -> str:
        return f"{self.target_type} #{self.target_id}" if self.target_type else ""
