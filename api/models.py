"""Integrations and their tokens.

A token is shown once, when it is made, and stored as a SHA-256 digest of
its secret: a copy of the database gives nobody a working token. Its
visible prefix names it in lists and logs. A token acts with the rights of
its integration's user (the manager who made it for their organisation, or
the staff member who made a staff integration) narrowed to its scopes, so
that everything the portal decides about that user (`visible_to`, the
subscription gate, what a role may change) decides for the token too.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import secrets

from django.conf import settings
from django.db import models
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from api.scopes import Scope

# "hdk_" + prefix + "_" + secret: a prefix of 10 lowercase letters and digits
# names the token; the secret carries 256 bits.
TOKEN_START = "hdk_"
PREFIX_LENGTH = 10
_PREFIX_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"
# `last_used_at` is written at most this often: not a write per request.
LAST_USED_PRECISION = datetime.timedelta(minutes=1)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class Integration(models.Model):
    """A system outside the portal that uses its API: the vendor's billing or
    CRM (a staff integration, no organisation) or an organisation's own
    monitoring or service desk."""

    name = models.CharField(_("name"), max_length=200)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="integrations",
        help_text=_("Empty for the vendor's own systems (staff integrations)."),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acts as"),
        on_delete=models.PROTECT,
        related_name="integrations",
        help_text=_(
            "Its tokens have this user's rights, narrowed to their scopes; a "
            "deactivated user's tokens stop working."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=now)

    class Meta:
        verbose_name = _("integration")
        verbose_name_plural = _("integrations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def authenticate(self, text: str) -> ApiToken | None:
        """The usable token this text is, with its integration and user; None
        for anything else (malformed, unknown, wrong secret, revoked, expired,
        an inactive integration or user)."""
        start, _sep, rest = text.partition("_")
        prefix, _sep, secret = rest.partition("_")
        if f"{start}_" != TOKEN_START or len(prefix) != PREFIX_LENGTH or not secret:
            return None
        token = self.select_related("integration__user").filter(prefix=prefix).first()
        if token is None or not hmac.compare_digest(token.digest, _digest(secret)):
            return None
        if not token.is_usable():
            return None
        return token


class ApiToken(models.Model):
    integration = models.ForeignKey(
        Integration,
        verbose_name=_("integration"),
        on_delete=models.CASCADE,
        related_name="tokens",
    )
    prefix = models.CharField(_("prefix"), max_length=PREFIX_LENGTH, unique=True)
    digest = models.CharField(max_length=64, editable=False)
    scopes = models.JSONField(_("scopes"), default=list)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=now)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{TOKEN_START}{self.prefix}_…"

    @property
    def label(self) -> str:
        """How records name the token a change was made through."""
        return f"{self.integration.name}, {self}"

    @staticmethod
    def new_secret() -> tuple[str, str, str]:
        """(prefix, secret, the whole token as shown once)."""
        prefix = "".join(secrets.choice(_PREFIX_ALPHABET) for _ in range(PREFIX_LENGTH))
        secret = secrets.token_urlsafe(32)
        return prefix, secret, f"{TOKEN_START}{prefix}_{secret}"

    def set_secret(self, secret: str) -> None:
        self.digest = _digest(secret)

    def is_usable(self, at: datetime.datetime | None = None) -> bool:
        at = at or now()
        integration = self.integration
        return (
            self.revoked_at is None
            and (self.expires_at is None or self.expires_at > at)
            and integration.is_active
            and integration.user.is_active
        )

    def allows(self, scope: Scope | str) -> bool:
        return scope in self.scopes

    def touch(self, at: datetime.datetime | None = None) -> None:
        """Record a use, at most once a minute."""
        at = at or now()
        if self.last_used_at is None or at - self.last_used_at >= LAST_USED_PRECISION:
            ApiToken.objects.filter(pk=self.pk).update(last_used_at=at)
            self.last_used_at = at


class IdempotentRequest(models.Model):
    """A POST sent with an `Idempotency-Key`, and the answer it got: the same
    key and body again get the same answer and change nothing; the same key
    with another body is refused. Kept a day (`forget_idempotent_requests`)."""

    token = models.ForeignKey(ApiToken, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    # SHA-256 of the method, the path and the body.
    fingerprint = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField()
    body = models.JSONField()
    location = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["token", "key"], name="idempotent_token_key"
            )
        ]

    def __str__(self) -> str:
        return self.key
