"""Making and revoking integrations' tokens: the one place their rules live."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db import transaction
from django.utils.timezone import now
from django.utils.translation import gettext as _

from accounts.models import User
from api.models import ApiToken, Integration
from api.scopes import ORGANISATION_SCOPES, Scope
from audit.models import AuditEntry
from audit.services import record


class IntegrationError(Exception):
    """A rule of integrations was broken; the message says which."""


def check_scopes(integration: Integration, scopes: Iterable[str]) -> list[str]:
    """The scopes, known and allowed for this integration, in a stable order."""
    chosen = set(scopes)
    unknown = chosen - set(Scope.values)
    if unknown:
        raise IntegrationError(
            _("Unknown scopes: %(scopes)s.") % {"scopes": ", ".join(sorted(unknown))}
        )
    if not chosen:
        raise IntegrationError(_("Choose at least one scope."))
    if integration.organisation_id is not None and not chosen <= ORGANISATION_SCOPES:
        raise IntegrationError(
            _("An organisation's integration may only read and file tickets.")
        )
    return [scope for scope in Scope.values if scope in chosen]


def create_integration(
    name: str, *, user: User, organisation_id: int | None = None
) -> Integration:
    """An integration acting as `user`: staff for the vendor's own systems,
    an organisation's manager for that organisation's."""
    if organisation_id is None:
        if not user.is_staff:
            raise IntegrationError(_("Only staff make the vendor's integrations."))
    else:
        membership = user.managed_membership
        if (
            user.is_staff
            or membership is None
            or membership.organisation_id != organisation_id
        ):
            raise IntegrationError(
                _("Only the organisation's manager makes its integrations.")
            )
    return Integration.objects.create(
        name=name.strip(), user=user, organisation_id=organisation_id
    )


@transaction.atomic
def issue_token(
    integration: Integration,
    *,
    scopes: Iterable[str],
    by: User,
    expires_at: datetime.datetime | None = None,
) -> tuple[ApiToken, str]:
    """A new token and its text, which is shown this once and never again."""
    chosen = check_scopes(integration, scopes)
    if expires_at is not None and expires_at <= now():
        raise IntegrationError(_("The expiry must be in the future."))
    prefix, secret, text = ApiToken.new_secret()
    token = ApiToken(
        integration=integration,
        prefix=prefix,
        scopes=chosen,
        expires_at=expires_at,
        created_by=by,
    )
    token.set_secret(secret)
    token.save()
    record(
        AuditEntry.Action.API_TOKEN_CREATED,
        actor=by,
        target=token,
        integration=integration.pk,
        scopes=chosen,
    )
    return token, text


@transaction.atomic
def revoke_token(token: ApiToken, *, by: User | None = None) -> ApiToken:
    """The token stops working at once; revoking twice changes nothing."""
    if token.revoked_at is None:
        token.revoked_at = now()
        token.save(update_fields=["revoked_at"])
        record(
            AuditEntry.Action.API_TOKEN_REVOKED,
            actor=by,
            target=token,
            integration=token.integration_id,
        )
    return token
