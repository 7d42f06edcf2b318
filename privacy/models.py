"""What the nightly retention removed (`RetentionRun`), and the permissions
of exporting and erasing a person's data (`PersonalData`)."""

from __future__ import annotations

from django.db import models
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _


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
