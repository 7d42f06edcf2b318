from __future__ import annotations

import datetime
import ipaddress
import secrets

from django.db import transaction
from django.urls import reverse
from django.utils.timezone import localdate, now
from django.utils.translation import gettext as _

from accounts.emails import queue_templated_email
from accounts.models import (
    CONSENT_VERSION,
    AccessRequest,
    AccountEvent,
    Consent,
    Invitation,
    Licence,
    Membership,
    Organisation,
    StaffRole,
    SubscriptionPeriod,
    SubscriptionReminder,
    User,
    one_year_after,
)
from accounts.validators import is_valid_tax_id, normalise_licence_number
from audit.models import AuditEntry
from audit.services import record
from outbox import events

INVITATION_LIFETIME = datetime.timedelta(days=7)


class AccountsError(Exception):
    """A rule of accounts, organisations or licences was broken; the message says which."""


def record_consent(
    purpose: Consent.Purpose,
    *,
    ip_address: str | None,
    user: User | None = None,
    access_request: AccessRequest | None = None,
) -> Consent:
    """Record that someone agreed, on the form of `purpose`, to the current
    consent text (`CONSENT_VERSION`)."""
    return Consent.objects.create(
        purpose=purpose,
        user=user,
        access_request=access_request,
        version=CONSENT_VERSION,
        ip_address=_ip_or_none(ip_address),
    )


def _ip_or_none(address: str | None) -> str | None:
    # `client_address` answers "unknown" when the server was not told.
    try:
        return str(ipaddress.ip_address(address or ""))
    except ValueError:
        return None


@transaction.atomic
def register_licence(
    organisation: Organisation,
    *,
    number: str,
    product: str,
    purchased_on: datetime.date,
    edition: str = "",
    seats: int | None = None,
    scope: str = "",
    by: User | None = None,
) -> Licence:
    """Create a licence with the year of support that comes with every purchase."""
    licence = Licence(
        organisation=organisation,
        number=normalise_licence_number(number),
        product=product,
        edition=edition,
        purchased_on=purchased_on,
        seats=seats,
        scope=scope,
    )
    licence.full_clean()
    licence.save()
    SubscriptionPeriod.objects.create(
        licence=licence,
        kind=SubscriptionPeriod.Kind.INCLUDED,
        starts_on=purchased_on,
        ends_on=one_year_after(purchased_on),
    )
    record(AuditEntry.Action.LICENCE_CREATED, actor=by, target=licence)
    return licence


@transaction.atomic
def renew_subscription(
    licence: Licence,
    *,
    years: int = 1,
    on: datetime.date | None = None,
    reference: str = "",
    by: User | None = None,
) -> SubscriptionPeriod:
    """Add a renewal of `years` years.

    It starts the day after the current coverage ends, or on the renewal day
    itself when the subscription had already lapsed. A renewal with the
    billing system's order `reference` is added once: sent again, the
    period it made is returned and nothing changes.
    """
    if years < 1:
        raise AccountsError(_("A renewal is one year or more."))
    on = on or localdate()
    licence = Licence.objects.select_for_update().get(pk=licence.pk)
    if reference:
        earlier = licence.subscription_periods.filter(reference=reference).first()
        if earlier is not None:
            return earlier
    last_day = licence.support_ends_on
    starts_on = (
        on
        if last_day is None or last_day < on
        else last_day + datetime.timedelta(days=1)
    )
    period = SubscriptionPeriod.objects.create(
        licence=licence,
        kind=SubscriptionPeriod.Kind.RENEWAL,
        starts_on=starts_on,
        ends_on=one_year_after(starts_on, years),
        reference=reference,
    )
    record(
        AuditEntry.Action.SUBSCRIPTION_RENEWED,
        actor=by,
        target=licence,
        period=period.pk,
        years=years,
        ends_on=period.ends_on.isoformat(),
    )
    _publish_licence_event(
        "licence.renewed",
        licence,
        support_ends_on=period.ends_on,
        extra={
            "period": {
                "starts_on": period.starts_on.isoformat(),
                "ends_on": period.ends_on.isoformat(),
            }
        },
    )
    return period


def _publish_licence_event(
    type: str,
    licence: Licence,
    *,
    support_ends_on: datetime.date,
    extra: dict | None = None,
) -> None:
    """Tell integrations' webhooks (`outbox.events`), in the caller's transaction."""

    def data() -> dict:
        organisation = licence.organisation
        return {
            "licence": {
                "number": licence.number,
                "product": licence.product,
                "edition": licence.edition,
                "support_ends_on": support_ends_on.isoformat(),
                "organisation": {
                    "name": organisation.name,
                    "tax_id": organisation.tax_id,
                },
            },
            **(extra or {}),
        }

    events.publish(
        type,
        organisation_id=licence.organisation_id,
        key=f"licence:{licence.number}",
        data=data,
    )


ORGANISATION_FIELDS = (
    "name",
    "tax_id",
    "external_id",
    "address",
    "email_domains",
    "is_active",
)


@transaction.atomic
def upsert_organisation(
    *, tax_id: str = "", external_id: str = "", values: dict[str, object]
) -> tuple[Organisation, bool]:
    """Create or change the organisation with this external id, if one is
    given, else this tax id: (the organisation, whether it was created).
    `values` may hold any of `ORGANISATION_FIELDS`; a new organisation needs a
    name and a tax id. Django's ValidationError names each field that fails."""
    organisations = Organisation.objects.select_for_update()
    organisation = (
        organisations.filter(external_id=external_id).first()
        if external_id
        else organisations.filter(tax_id=tax_id).first()
    )
    created = organisation is None
    if created:
        organisation = Organisation(tax_id=tax_id, external_id=external_id)
    for name, value in values.items():
        if name not in ORGANISATION_FIELDS:
            raise ValueError(name)
        setattr(organisation, name, value)
    organisation.full_clean()
    organisation.save()
    return organisation, created


@transaction.atomic
def upsert_contact(
    email: str,
    *,
    organisation: Organisation,
    full_name: str,
    position: str = "",
    phone: str = "",
    language: str | None = None,
    role: str | None = None,
    by: User | None = None,
) -> tuple[User, bool]:
    """Create or change a contact of `organisation` with this address:
    (the contact, whether it was created). A new contact has no password: it
    is known to e-mail, Telegram and staff's call log, and gets the portal as
    anyone does, by asking for access or by an invitation."""
    email = email.strip().lower()
    user = (
        User.objects.select_for_update(of=("self",))
        .filter(email__iexact=email)
        .select_related("membership")
        .first()
    )
    if user is not None and (user.is_staff or user.is_superuser):
        raise AccountsError(_("This address belongs to a staff account."))
    membership = user.membership_or_none if user is not None else None
    if membership is not None and membership.organisation_id != organisation.pk:
        raise AccountsError(_("This contact belongs to another organisation."))
    created = user is None
    if created:
        user = User(email=email)
        user.set_unusable_password()
    user.full_name = full_name
    user.position = position
    user.phone = phone
    if language is not None:
        user.language = language
    user.full_clean(exclude=["password"])
    user.save()
    if membership is None:
        membership = Membership.objects.create(
            user=user,
            organisation=organisation,
            role=role or Membership.Role.MEMBER,
        )
        _record_membership(membership, by=by)
    elif role is not None and membership.role != role:
        record(
            AuditEntry.Action.ROLE_CHANGED,
            actor=by,
            target=user,
            organisation=organisation.pk,
            old=membership.role,
            new=role,
        )
        membership.role = role
        membership.save(update_fields=["role"])
    return user, created


def _record_membership(membership: Membership, *, by: User | None) -> None:
    record(
        AuditEntry.Action.MEMBERSHIP_ADDED,
        actor=by,
        target=membership.user,
        organisation=membership.organisation_id,
        role=membership.role,
    )


def _vouching_licence(access_request: AccessRequest) -> Licence | None:
    """The licence that lets this request through without review, if any."""
    licence = (
        Licence.objects.with_periods()
        .select_related("organisation")
        .filter(number=normalise_licence_number(access_request.licence_number))
        .first()
    )
    if (
        licence is None
        or not licence.organisation.is_active
        or not licence.subscription_active()
    ):
        return None
    organisation = licence.organisation
    if access_request.tax_id == organisation.tax_id or organisation.approves_email(
        access_request.email
    ):
        return licence
    return None


def _account_of(email: str) -> User | None:
    return (
        User.objects.filter(email__iexact=email)
        .select_related("membership__organisation")
        .first()
    )


def account_in_the_way(
    user: User | None, *, organisation: Organisation | None = None
) -> bool:
    """Whether a customer flow must not bring this address's account back.

    Staff and superusers' addresses, active or not, and deactivated accounts
    go to staff review. The one exception: an organisation's manager may
    invite back a plain member they or a colleague removed. An active
    contact is not in the way: they are told to sign in.
    """
    if user is None:
        return False
    if user.is_staff or user.is_superuser:
        return True
    if user.is_active:
        return False
    membership = user.membership_or_none
    returning_member = (
        organisation is not None
        and membership is not None
        and membership.organisation_id == organisation.pk
        and membership.role == Membership.Role.MEMBER
    )
    return not returning_member


@transaction.atomic
def request_access(
    access_request: AccessRequest, *, ip_address: str | None = None
) -> AccessRequest:
    """Record a visitor's request for portal access, with their consent to
    the processing of what they typed (the form asks for it), and answer it
    by e-mail.

    1. An address of staff or of a deactivated account waits for staff, who
       see whose account it is (`AccessRequest.account_fact`).
    2. Someone who already has an account is told to sign in instead.
    3. A licence with active support that belongs to the requester's organisation
       (same tax id, or an approved e-mail domain) brings an invitation at once.
    4. Anything else waits for staff, and the requester is told so.
    The web page says the same in every case, so it reveals no licence numbers.
    """
    access_request.email = access_request.email.strip().lower()
    access_request.licence_number = normalise_licence_number(
        access_request.licence_number
    )
    account = _account_of(access_request.email)
    in_the_way = account_in_the_way(account)
    access_request.existing_account = account if in_the_way else None
    access_request.save()
    record_consent(
        Consent.Purpose.ACCESS_REQUEST,
        access_request=access_request,
        ip_address=ip_address,
    )
    # The vendor's business: only staff integrations hear of it.
    events.publish(
        "access_request.created",
        organisation_id=None,
        key=f"access_request:{access_request.code}",
        data=lambda: {
            "access_request": {
                "id": str(access_request.code),
                "organisation_name": access_request.organisation_name,
                "tax_id": access_request.tax_id,
                "full_name": access_request.full_name,
                "position": access_request.position,
                "email": access_request.email,
                "licence_number": access_request.licence_number,
                "created_at": access_request.created_at.isoformat(),
            }
        },
    )
    recipient = [access_request.email]
    if not in_the_way and account is not None and account.is_active:
        queue_templated_email(
            recipient,
            "accounts/email/already_registered",
            {},
            language=access_request.language,
        )
        return access_request
    licence = (
        _vouching_licence(access_request)
        if access_request.existing_account is None
        else None
    )
    if licence is None:
        queue_templated_email(
            recipient,
            "accounts/email/access_request_received",
            {"access_request": access_request},
            language=access_request.language,
        )
        return access_request
    access_request.status = AccessRequest.Status.INVITED
    access_request.organisation = licence.organisation
    access_request.decided_at = now()
    access_request.save(update_fields=["status", "organisation", "decided_at"])
    _invite_requester(access_request, invited_by=None)
    return access_request


def _invite_requester(
    access_request: AccessRequest, *, invited_by: User | None
) -> Invitation | None:
    assert access_request.organisation is not None
    return invite_contact(
        access_request.organisation,
        email=access_request.email,
        full_name=access_request.full_name,
        position=access_request.position,
        phone=str(access_request.phone or ""),
        language=access_request.language,
        invited_by=invited_by,
        access_request=access_request,
    )


@transaction.atomic
def approve_access_request(
    access_request: AccessRequest, *, by: User, organisation: Organisation | None = None
) -> Invitation | None:
    """Grant access: link the given organisation, or create it from the request.

    An address of an active staff account cannot be approved; one of a
    deactivated account is invited back as a plain member, and its staff
    rights, if any, go when the invitation is accepted (`restore_contact`).
    """
    access_request = AccessRequest.objects.select_for_update().get(pk=access_request.pk)
    if access_request.status != AccessRequest.Status.PENDING:
        raise AccountsError(_("This request has already been decided."))
    existing = access_request.existing_account
    if existing is not None and existing.is_active:
        raise AccountsError(
            _(
                "The address belongs to an active account; it cannot be given "
                "access a second time. Decline the request."
            )
        )
    if organisation is None:
        organisation = _organisation_from_request(access_request)
    access_request.status = AccessRequest.Status.APPROVED
    access_request.organisation = organisation
    access_request.decided_by = by
    access_request.decided_at = now()
    access_request.save(
        update_fields=["status", "organisation", "decided_by", "decided_at"]
    )
    return _invite_requester(access_request, invited_by=by)


def _organisation_from_request(access_request: AccessRequest) -> Organisation:
    if not is_valid_tax_id(access_request.tax_id):
        raise AccountsError(
            _(
                "The request has no valid tax id; choose an existing organisation to link."
            )
        )
    organisation, _created = Organisation.objects.get_or_create(
        tax_id=access_request.tax_id,
        defaults={"name": access_request.organisation_name},
    )
    return organisation


@transaction.atomic
def decline_access_request(
    access_request: AccessRequest, *, by: User, reason: str
) -> AccessRequest:
    access_request = AccessRequest.objects.select_for_update().get(pk=access_request.pk)
    if access_request.status != AccessRequest.Status.PENDING:
        raise AccountsError(_("This request has already been decided."))
    if not reason.strip():
        raise AccountsError(
            _("Say why the request is declined; the requester reads it.")
        )
    access_request.status = AccessRequest.Status.DECLINED
    access_request.decline_reason = reason.strip()
    access_request.decided_by = by
    access_request.decided_at = now()
    access_request.save(
        update_fields=["status", "decline_reason", "decided_by", "decided_at"]
    )
    queue_templated_email(
        [access_request.email],
        "accounts/email/access_request_declined",
        {"access_request": access_request},
        language=access_request.language,
    )
    return access_request


@transaction.atomic
def invite_contact(
    organisation: Organisation,
    *,
    email: str,
    full_name: str,
    position: str = "",
    phone: str = "",
    role: Membership.Role = Membership.Role.MEMBER,
    language: str = "ru",
    invited_by: User | None = None,
    access_request: AccessRequest | None = None,
) -> Invitation | None:
    """Send a sign-up link that makes its user a contact of `organisation`.

    Someone who already has an active account gets a note telling them so
    instead, and None is returned: whoever invited learns nothing about accounts
    outside their organisation. A plain member removed from this organisation
    may be invited back and gets their old account back; any other account in
    the way (`account_in_the_way`) becomes an access request for staff to
    review. An invitation made from an approved access request was reviewed.
    """
    email = email.strip().lower()
    account = _account_of(email)
    # An invitation made from an approved access request was reviewed.
    if access_request is None and account_in_the_way(
        account, organisation=organisation
    ):
        AccessRequest.objects.create(
            organisation_name=organisation.name,
            tax_id=organisation.tax_id,
            full_name=full_name,
            position=position,
            email=email,
            phone=phone,
            language=language,
            organisation=organisation,
            existing_account=account,
            requested_by=invited_by,
        )
        return None
    if account is not None and account.is_active:
        queue_templated_email(
            [email], "accounts/email/already_registered", {}, language=language
        )
        return None
    invitation = Invitation.objects.create(
        token=secrets.token_urlsafe(32),
        email=email,
        full_name=full_name,
        position=position,
        phone=phone,
        organisation=organisation,
        role=role,
        language=language,
        invited_by=invited_by,
        access_request=access_request,
        expires_at=now() + INVITATION_LIFETIME,
    )
    queue_templated_email(
        [email],
        "accounts/email/invitation",
        {
            "invitation": invitation,
            "accept_path": reverse(
                "accounts:accept_invitation", args=[invitation.token]
            ),
        },
        language=language,
    )
    return invitation


@transaction.atomic
def accept_invitation(
    invitation: Invitation, user: User, *, ip_address: str | None = None
) -> Membership:
    """Make the newly signed-up user the contact the invitation was for,
    with the consent they gave on the sign-up form."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise AccountsError(_("This invitation has already been used."))
    user.full_name = user.full_name or invitation.full_name
    user.position = user.position or invitation.position
    user.phone = user.phone or invitation.phone
    user.language = invitation.language
    user.save(update_fields=["full_name", "position", "phone", "language"])
    membership = Membership.objects.create(
        user=user, organisation=invitation.organisation, role=invitation.role
    )
    _record_membership(membership, by=user)
    invitation.accepted_at = now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    record_consent(Consent.Purpose.SIGN_UP, user=user, ip_address=ip_address)
    return membership


@transaction.atomic
def restore_contact(
    invitation: Invitation, user: User, *, ip_address: str | None = None
) -> Membership:
    """Give a deactivated account back as a contact of the organisation that invited it.

    Whatever the account was before, it comes back as a customer's contact
    with the invitation's role: staff and superuser status, groups and
    permissions go, recorded. Only an administrator gives staff rights back
    (`reactivate_account`). The person accepts with their consent to the
    processing of their data (the acceptance page asks for it).
    """
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise AccountsError(_("This invitation has already been used."))
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.is_active:
        raise AccountsError(_("This account is active; sign in instead."))
    if user.is_staff or user.is_superuser:
        user.is_staff = False
        user.is_superuser = False
        user.groups.clear()
        user.user_permissions.clear()
        record(
            AuditEntry.Action.ROLE_CHANGED,
            actor=invitation.invited_by,
            target=user,
            staff_rights_removed=True,
        )
        AccountEvent.objects.create(
            user=user,
            kind=AccountEvent.Kind.PRIVILEGES_REMOVED,
            by=invitation.invited_by,
            note=_("Came back through an invitation to %(organisation)s.")
            % {"organisation": invitation.organisation.name},
        )
    user.is_active = True
    user.save(update_fields=["is_active", "is_staff", "is_superuser"])
    membership, _created = Membership.objects.update_or_create(
        user=user,
        defaults={"organisation": invitation.organisation, "role": invitation.role},
    )
    _record_membership(membership, by=invitation.invited_by)
    AccountEvent.objects.create(
        user=user,
        kind=AccountEvent.Kind.RESTORED,
        by=invitation.invited_by,
        note=_("A %(role)s of %(organisation)s.")
        % {
            "role": membership.get_role_display().lower(),
            "organisation": invitation.organisation.name,
        },
    )
    invitation.accepted_at = now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    record_consent(Consent.Purpose.INVITATION, user=user, ip_address=ip_address)
    return membership


@transaction.atomic
def remove_contact(membership: Membership, *, by: User) -> None:
    """Close a contact's access; the account stays for the history of their tickets."""
    if membership.user_id == by.pk:
        raise AccountsError(_("You cannot remove yourself."))
    user = membership.user
    user.is_active = False
    user.save(update_fields=["is_active"])
    AccountEvent.objects.create(user=user, kind=AccountEvent.Kind.REMOVED, by=by)
    record(
        AuditEntry.Action.MEMBERSHIP_REMOVED,
        actor=by,
        target=user,
        organisation=membership.organisation_id,
    )


@transaction.atomic
def deactivate_account(user: User, *, by: User, note: str = "") -> User:
    """Close an account for every channel; recorded."""
    if user.pk == by.pk:
        raise AccountsError(_("You cannot deactivate yourself."))
    if not user.is_active:
        return user
    user.is_active = False
    user.save(update_fields=["is_active"])
    AccountEvent.objects.create(
        user=user, kind=AccountEvent.Kind.DEACTIVATED, by=by, note=note
    )
    record(AuditEntry.Action.ACCOUNT_DEACTIVATED, actor=by, target=user)
    return user


@transaction.atomic
def reactivate_account(user: User, *, by: User, note: str = "") -> User:
    """Open a deactivated account again; staff accounts only by an administrator."""
    if user.is_active:
        return user
    if (user.is_staff or user.is_superuser) and not by.has_staff_role(StaffRole.ADMIN):
        raise AccountsError(_("Only an administrator reactivates a staff account."))
    if user.is_superuser and not by.is_superuser:
        raise AccountsError(_("Only a superuser reactivates a superuser."))
    user.is_active = True
    user.save(update_fields=["is_active"])
    AccountEvent.objects.create(
        user=user, kind=AccountEvent.Kind.REACTIVATED, by=by, note=note
    )
    record(AuditEntry.Action.ACCOUNT_REACTIVATED, actor=by, target=user)
    return user


def send_subscription_reminders(today: datetime.date | None = None) -> int:
    """Remind organisations' managers 30 and 7 days before support ends, and once after.

    1. Every reminder that has come due is recorded once (a unique row per
       licence, kind and end date), whoever runs first.
    2. Each recorded reminder not yet sent is sent under a row lock and marked
       sent in the same transaction: a second run, a retry or a concurrent
       worker skips it, and a failed send leaves it for the next run.
    Returns how many reminders were sent.
    """
    today = today or localdate()
    licences = (
        Licence.objects.with_periods()
        .select_related("organisation")
        .filter(organisation__is_active=True)
    )
    for licence in licences.iterator(chunk_size=500):
        kind = _reminder_due(licence.support_ends_on, today)
        if kind is not None:
            SubscriptionReminder.objects.get_or_create(
                licence=licence, kind=kind, support_ends_on=licence.support_ends_on
            )
    pending = SubscriptionReminder.objects.filter(sent_at=None).values_list(
        "pk", flat=True
    )
    return sum(_send_reminder(pk) for pk in list(pending))


# Reminders of lapses older than this are not sent: a first run on old data
# must not mail every customer who left years ago.
ENDED_REMINDER_WINDOW = datetime.timedelta(days=14)


def _reminder_due(
    ends_on: datetime.date | None, today: datetime.date
) -> SubscriptionReminder.Kind | None:
    if ends_on is None:
        return None
    days_left = (ends_on - today).days
    if 7 < days_left <= 30:
        return SubscriptionReminder.Kind.DAYS_30
    if 0 <= days_left <= 7:
        return SubscriptionReminder.Kind.DAYS_7
    if days_left < 0 and today - ends_on <= ENDED_REMINDER_WINDOW:
        return SubscriptionReminder.Kind.ENDED
    return None


@transaction.atomic
def _send_reminder(reminder_id: int) -> bool:
    reminder = (
        SubscriptionReminder.objects.select_for_update(skip_locked=True)
        .select_related("licence__organisation")
        .filter(pk=reminder_id, sent_at=None)
        .first()
    )
    if reminder is None:
        return False  # sent, or being sent, by another run
    licence = reminder.licence
    managers = User.objects.contacts_of(licence.organisation_id).filter(
        membership__role=Membership.Role.MANAGER
    )
    for manager in managers:
        # Queued in the outbox in this transaction: marked sent together with
        # the rows that send it exactly once, or neither.
        queue_templated_email(
            [manager.email],
            "accounts/email/subscription_reminder",
            {"licence": licence, "kind": reminder.kind, "manager": manager},
            language=manager.language,
        )
    _publish_licence_event(
        "licence.expired"
        if reminder.kind == SubscriptionReminder.Kind.ENDED
        else "licence.expiring",
        licence,
        support_ends_on=reminder.support_ends_on,
    )
    reminder.sent_at = now()
    reminder.save(update_fields=["sent_at"])
    return True


@transaction.atomic
def revoke_invitation(invitation: Invitation) -> Invitation:
    """Make an unused invitation's link stop working (`Invitation.objects.usable`)."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise AccountsError(_("This invitation has already been used."))
    if invitation.revoked_at is None:
        invitation.revoked_at = now()
        invitation.save(update_fields=["revoked_at"])
    return invitation
