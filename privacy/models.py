"""What the nightly retention removed (`RetentionRun`), the erasures asked
for (`Erasure`), and the permissions of exporting and erasing a person's
data (`PersonalData`)."""

from __future__ import annotations

from django.db import models
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _

from accounts.models import User


class PersonalData(models.Model):
    """No table: the rights to export and to erase a person's data, which
    belong to no model of their own (`privacy.services`, `privacy.export`).
    Supervisors and administrators hold them (accounts/roles.py)."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [
            ("export_personal_data", _("Can export a person's data")),
            ("erase_personal_data", _("Can erase a person's data")),
        ]
        verbose_name = _("personal data")
        verbose_name_plural = _("personal data")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)


class RetentionRun(models.Model):
    """One run of the retention rules (`privacy.services.apply_retention`):
    the periods it applied and what it removed."""

    started_at = models.DateTimeField(_("started"), default=now, db_index=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # The settings as they were: 0 kept everything of that kind.
    attachments_days = models.PositiveIntegerField(_("attachments kept, days"))
    raw_email_days = models.PositiveIntegerField(_("raw e-mail kept, days"))
    attachments_removed = models.PositiveIntegerField(
        _("attachments removed"), default=0
    )
    attachment_bytes = models.PositiveBigIntegerField(
        _("attachments' bytes freed"), default=0
    )
    raw_emails_removed = models.PositiveIntegerField(
        _("raw e-mails removed"), default=0
    )
    raw_email_bytes = models.PositiveBigIntegerField(
        _("raw e-mails' bytes freed"), default=0
    )

    class Meta:
        verbose_name = _("retention run")
        verbose_name_plural = _("retention runs")
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M}"

    @property
    def bytes_freed(self) -> int:
        return self.attachment_bytes + self.raw_email_bytes


class Erasure(models.Model):
    """An erasure of a person's data asked for in the admin: the account is
    closed at once (`services.request_erasure`), the data goes in a task
    (`tasks.erase_person`, `services.carry_out_erasure`), since the sweep
    reads every table, longer than a page may wait. The user's admin page
    says where it stands. No name, address or phone is kept here."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    user = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        related_name="erasures",
        verbose_name=_("account"),
    )
    requested_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    remove_attachments = models.BooleanField(_("their files deleted too"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status, default=Status.PENDING
    )
    created_at = models.DateTimeField(_("requested"), default=now, db_index=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        # Governed by `PersonalData`'s right to erase; never edited as rows.
        default_permissions = ()
        verbose_name = _("erasure")
        verbose_name_plural = _("erasures")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.get_status_display()}"
