"""Sign-ins and second factors, recorded from the signals Django and allauth
send: their flows are not ours, and these are the events they announce."""

from __future__ import annotations

from typing import Any

from allauth.mfa import signals as mfa
from allauth.mfa.models import Authenticator
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import (
    user_logged_in,
    user_logged_out,
    user_login_failed,
)
from django.dispatch import receiver

from audit.models import AuditEntry
from audit.services import record

Action = AuditEntry.Action


@receiver(user_logged_in, dispatch_uid="audit_sign_in")
def signed_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    record(Action.SIGN_IN, actor=user, target=user, request=request)


@receiver(user_logged_out, dispatch_uid="audit_sign_out")
def signed_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        record(Action.SIGN_OUT, actor=user, target=user, request=request)


@receiver(user_login_failed, dispatch_uid="audit_sign_in_failed")
def sign_in_failed(
    sender: Any, credentials: dict, request: Any = None, **kwargs: Any
) -> None:
    # An address that is an account's names that account (by id); any other
    # address is not kept at all, not even hashed (a hash of an address is
    # found again by hashing the guesses): the entry holds only where the
    # attempt came from.
    email = str(credentials.get("email") or credentials.get("username") or "")
    account = (
        get_user_model()._default_manager.filter(email__iexact=email.strip()).first()
        if email.strip()
        else None
    )
    record(
        Action.SIGN_IN_FAILED,
        target=("user", account.pk) if account is not None else None,
        request=request,
    )


def _second_factor(action: AuditEntry.Action):
    def receive(
        sender: Any, request: Any, user: Any, authenticator: Authenticator, **kwargs
    ) -> None:
        # A code refused at sign-in comes from someone not yet signed in:
        # the account is what was tried, not who tried.
        actor = getattr(request, "user", None)
        record(
            action,
            actor=actor if getattr(actor, "is_authenticated", False) else None,
            target=user,
            request=request,
            type=authenticator.type,
        )

    return receive


for _signal, _action in (
    (mfa.authenticator_added, Action.SECOND_FACTOR_ADDED),
    (mfa.authenticator_removed, Action.SECOND_FACTOR_REMOVED),
    (mfa.authenticator_reset, Action.RECOVERY_CODES_REGENERATED),
    (mfa.authentication_failed, Action.SECOND_FACTOR_FAILED),
):
    _signal.connect(_second_factor(_action), weak=False, dispatch_uid=_action.value)
