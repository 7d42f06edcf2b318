from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.timezone import localdate, now
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy
from phonenumber_field.modelfields import PhoneNumberField

from accounts.validators import (
    normalise_licence_number,
    validate_licence_number,
    validate_tax_id,
)
from helpdesk import audit


class StaffRole(models.TextChoices):
    """Staff roles are Django groups of these names, created by a migration."""

    AGENT = "agent", _("Support agent")
    SUPERVISOR = "supervisor", _("Supervisor")
    ADMIN = "admin", _("Administrator")


class Standing(models.TextChoices):
    """Whether an account may act, and if not, why: `User.standing()`."""

    GOOD = "good", _("May act")
    DEACTIVATED = "deactivated", _("the account is deactivated")
    NO_ORGANISATION = (
        "no_organisation",
        _("the account is not a contact of any organisation"),
    )
    OTHER_ORGANISATION = (
        "other_organisation",
        _("the contact belongs to another organisation"),
    )


# Who is active staff: the assignee lists, the supervisors told of deadlines,
# and the partial index that serves them (`User.Meta`).
ACTIVE_STAFF = Q(is_staff=True, is_active=True)


class UserQuerySet(models.QuerySet["User"]):
    def active_staff(self) -> UserQuerySet:
        return self.filter(ACTIVE_STAFF)

    def contacts(self) -> UserQuerySet:
        """Customers' contacts: active accounts that belong to an organisation."""
        return self.filter(is_active=True, membership__isnull=False)

    def contacts_of(self, organisation_id: int) -> UserQuerySet:
        """The contacts of one organisation: its members whose accounts are active."""
        return self.filter(is_active=True, membership__organisation_id=organisation_id)

    def colleagues_of(self, user: User) -> UserQuerySet:
        """The other contacts of the user's organisation (none if they have none)."""
        membership = user.membership_or_none
        if membership is None:
            return self.none()
        return self.contacts_of(membership.organisation_id).exclude(pk=user.pk)


class UserManager(BaseUserManager.from_queryset(UserQuerySet)):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields) -> User:
        if not email:
            raise ValueError("A user needs an e-mail address.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(
        self, email: str, password: str | None = None, **fields
    ) -> User:
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **fields)


def saved_at_sign_in(update_fields: Iterable[str] | None) -> bool:
    """Whether a user's save is a sign-in's, which writes `last_login` alone:
    the caches of names and lists need not forget anything for it."""
    return set(update_fields or ()) == {"last_login"}


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in: a customer's contact or a member of support staff."""

    email = models.EmailField(_("e-mail"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200)
    position = models.CharField(_("position"), max_length=200, blank=True)
    phone = PhoneNumberField(_("phone"), blank=True)
    mobile_phone = PhoneNumberField(_("mobile phone"), blank=True)
    language = models.CharField(
        _("preferred language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
    )
    is_active = models.BooleanField(pgettext_lazy("user", "active"), default=True)
    is_staff = models.BooleanField(
        _("staff status"),
        default=False,
        help_text=_("Support staff: may sign in to the staff pages and the admin."),
    )
    created_at = models.DateTimeField(_("created"), default=now, db_index=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        indexes = [
            # The few staff among thousands of contacts, by name: the
            # assignee lists on every staff page.
            models.Index(
                fields=["full_name"],
                condition=ACTIVE_STAFF,
                name="user_active_staff",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} <{self.email}>" if self.full_name else self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    def standing(self, organisation_id: int | None = None) -> Standing:
        """The one rule of whether this account may act, for every channel.

        Signing in, writing by e-mail or Telegram, being told of a ticket,
        being invited or resetting a password all ask it. Staff act
        everywhere; a contact acts while active, for their own organisation
        only (given `organisation_id`, the organisation the act concerns).
        A removed contact is deactivated, so removal is covered by `is_active`.
        """
        if not self.is_active:
            return Standing.DEACTIVATED
        if self.is_staff:
            return Standing.GOOD
        membership = self.membership_or_none
        if membership is None:
            return Standing.NO_ORGANISATION
        if (
            organisation_id is not None
            and membership.organisation_id != organisation_id
        ):
            return Standing.OTHER_ORGANISATION
        return Standing.GOOD

    def may_act(self, organisation_id: int | None = None) -> bool:
        return self.standing(organisation_id) == Standing.GOOD

    @property
    def membership_or_none(self) -> Membership | None:
        try:
            return self.membership
        except Membership.DoesNotExist:
            return None

    @property
    def managed_membership(self) -> Membership | None:
        """The membership through which the user manages an organisation (its
        contacts, its integrations); None unless they are its manager."""
        membership = self.membership_or_none
        if membership is None or membership.role != Membership.Role.MANAGER:
            return None
        return membership

    @property
    def is_privileged(self) -> bool:
        """Staff, a superuser or a customer's manager: rights that a customer
        flow (an access request, a colleague's invitation) must never restore."""
        if self.is_staff or self.is_superuser:
            return True
        return self.managed_membership is not None

    def has_active_support(self, on: datetime.date | None = None) -> bool:
        """Whether the contact's organisation holds a licence with support
        due on the day (today by default): what customers-only knowledge
        base articles ask. Staff belong to no organisation: False for them.

        Kept on the user for the day asked, as `membership` is: a page asks
        again (its validators, then its content) within one request."""
        if not self.is_authenticated or not self.is_active:
            return False
        on = on or localdate()
        known = self.__dict__.get("_active_support")
        if known is not None and known[0] == on:
            return known[1]
        membership = self.membership_or_none
        active = (
            membership is not None
            and Licence.objects.filter(organisation_id=membership.organisation_id)
            .with_active_support(on)
            .exists()
        )
        self.__dict__["_active_support"] = (on, active)
        return active

    def has_staff_role(self, *roles: StaffRole) -> bool:
        if not self.is_authenticated or not self.is_staff:
            return False
        if self.is_superuser:
            return True
        names = [r.value for r in roles] or [r.value for r in StaffRole]
        return self.groups.filter(name__in=names).exists()


class OrganisationQuerySet(models.QuerySet["Organisation"]):
    def visible_to(self, user: User) -> OrganisationQuerySet:
        """The one answer to "which organisations may this user see"."""
        if not user.is_authenticated:
            return self.none()
        if user.is_staff:
            return self.all()
        return self.filter(memberships__user=user)

    def active(self) -> OrganisationQuerySet:
        return self.filter(is_active=True)


class Organisation(models.Model):
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=300)
    tax_id = models.CharField(
        _("tax id (INN)"), max_length=12, unique=True, validators=[validate_tax_id]
    )
    address = models.TextField(_("address"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    email_domains = models.TextField(
        _("approved e-mail domains"),
        blank=True,
        help_text=_(
            "One per line, e.g. example.ru. A contact writing from one of them with "
            "a licence of this organisation is invited without review."
        ),
    )
    external_id = models.CharField(
        _("external id"),
        max_length=100,
        blank=True,
        db_default="",
        help_text=_("The organisation's id in the vendor's CRM or billing system."),
    )
    is_active = models.BooleanField(
        pgettext_lazy("organisation", "active"),
        default=True,
        help_text=_("Archived organisations get no support."),
    )
    created_at = models.DateTimeField(_("created"), default=now, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["external_id"],
                condition=~Q(external_id=""),
                name="organisation_external_id_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def approves_email(self, email: str) -> bool:
        domain = email.rsplit("@", 1)[-1].strip().lower()
        approved = {
            d.strip().lower().lstrip("@") for d in self.email_domains.splitlines()
        }
        return bool(domain) and domain in approved - {""}


class Membership(models.Model):
    """A contact's place in their organisation; a contact belongs to one."""

    class Role(models.TextChoices):
        MEMBER = "member", _("Member")
        MANAGER = "manager", _("Manager")

    user = models.OneToOneField(
        User,
        on_delete=models.CASCADE,
        related_name="membership",
        verbose_name=_("contact"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("organisation"),
    )
    role = models.CharField(_("role"), max_length=16, choices=Role, default=Role.MEMBER)
    created_at = models.DateTimeField(_("created"), default=now)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return f"{self.user} — {self.organisation} ({self.get_role_display()})"


def display_name(user: User) -> str:
    """How allauth's messages name a person: their name, else the address."""
    return user.get_full_name()


class LicenceQuerySet(models.QuerySet["Licence"]):
    def visible_to(self, user: User) -> LicenceQuerySet:
        """The one answer to "which licences may this user see"."""
        if not user.is_authenticated:
            return self.none()
        if user.is_staff:
            return self.all()
        return self.filter(organisation__memberships__user=user)

    def with_periods(self) -> LicenceQuerySet:
        return self.prefetch_related("subscription_periods")

    def with_active_support(self, on: datetime.date | None = None) -> LicenceQuerySet:
        """Licences that support is due for on the day (today by default): a
        subscription period covers it and the organisation is not archived.
        The query form of `Licence.subscription_active`, for many at once."""
        on = on or localdate()
        covered = SubscriptionPeriod.objects.filter(
            licence=OuterRef("pk"), starts_on__lte=on, ends_on__gte=on
        )
        return self.filter(Exists(covered), organisation__is_active=True)


class Licence(models.Model):
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    number = models.CharField(
        _("licence number"),
        max_length=64,
        unique=True,
        validators=[validate_licence_number],
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="licences",
        verbose_name=_("organisation"),
    )
    product = models.CharField(_("product"), max_length=200)
    edition = models.CharField(_("edition"), max_length=200, blank=True)
    purchased_on = models.DateField(_("purchase date"))
    seats = models.PositiveIntegerField(_("seats"), null=True, blank=True)
    scope = models.CharField(
        _("scope"),
        max_length=300,
        blank=True,
        help_text=_("Free text when seats do not apply."),
    )
    created_at = models.DateTimeField(_("created"), default=now, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = LicenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("licence")
        verbose_name_plural = _("licences")
        ordering = ["number"]

    def __str__(self) -> str:
        return f"{self.number} ({self.product})"

    def subscription_active(self, on: datetime.date | None = None) -> bool:
        """Whether support is due for this licence on the given day (today by default)."""
        on = on or localdate()
        return any(p.covers(on) for p in self.subscription_periods.all())

    @property
    def support_ends_on(self) -> datetime.date | None:
        """The last day covered by a subscription, past or future."""
        return max((p.ends_on for p in self.subscription_periods.all()), default=None)


def one_year_after(start: datetime.date, years: int = 1) -> datetime.date:
    """The last day of a period of `years` years that starts on `start`."""
    try:
        anniversary = start.replace(year=start.year + years)
    except ValueError:  # 29 February
        anniversary = start.replace(
            year=start.year + years, day=28
        ) + datetime.timedelta(days=1)
    return anniversary - datetime.timedelta(days=1)


class SubscriptionPeriod(models.Model):
    """One period of support for a licence: included with the purchase, or a renewal."""

    class Kind(models.TextChoices):
        INCLUDED = "included", _("Included with the licence")
        RENEWAL = "renewal", _("Renewal")

    licence = models.ForeignKey(
        Licence,
        on_delete=models.CASCADE,
        related_name="subscription_periods",
        verbose_name=_("licence"),
    )
    kind = models.CharField(
        _("kind"), max_length=16, choices=Kind, default=Kind.RENEWAL
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), help_text=_("The last day of support."))
    reference = models.CharField(
        _("order reference"),
        max_length=100,
        blank=True,
        db_default="",
        help_text=_(
            "The billing system's order for a renewal: a renewal it sends "
            "again is recognised and not added twice."
        ),
    )
    created_at = models.DateTimeField(_("created"), default=now)

    class Meta:
        verbose_name = _("subscription period")
        verbose_name_plural = _("subscription periods")
        ordering = ["licence", "starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")),
                name="subscription_period_ends_after_start",
            ),
            models.UniqueConstraint(
                fields=["licence", "reference"],
                condition=~Q(reference=""),
                name="subscription_period_reference_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.starts_on:%d.%m.%Y}–{self.ends_on:%d.%m.%Y}"

    def covers(self, day: datetime.date) -> bool:
        return self.starts_on <= day <= self.ends_on


@dataclass(frozen=True)
class LicenceCheck:
    """`AccessRequest.licence_check`: the typed licence as the database knows it."""

    licence: Licence | None
    tax_id_matches: bool
    support_active: bool


class AccessRequest(models.Model):
    """A visitor's request for portal access, made with a licence number."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for review")
        INVITED = "invited", _("Invited automatically")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation_name = models.CharField(_("organisation"), max_length=300)
    tax_id = models.CharField(_("tax id (INN)"), max_length=12, blank=True)
    full_name = models.CharField(_("full name"), max_length=200)
    position = models.CharField(_("position"), max_length=200)
    email = models.EmailField(_("e-mail"))
    phone = PhoneNumberField(_("phone"))
    licence_number = models.CharField(_("licence number"), max_length=64)
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=Status,
        default=Status.PENDING,
        db_index=True,
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="access_requests",
        verbose_name=_("organisation"),
    )
    decided_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    # An account that already has this address and that no customer flow may
    # bring back by itself: the request waits for staff, who see whose it is.
    existing_account = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("existing account"),
    )
    # A manager whose invitation of a colleague became this request.
    requested_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("invited by"),
    )
    created_at = models.DateTimeField(_("created"), default=now, db_index=True)

    class Meta:
        verbose_name = _("access request")
        verbose_name_plural = _("access requests")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.full_name} <{self.email}> — {self.organisation_name}"

    def licence_check(self) -> LicenceCheck:
        """What the typed licence number tells the reviewer: whether the
        licence exists, whose it is, whether the typed tax id is its
        organisation's, and whether its support is active."""
        licence = (
            Licence.objects.filter(number=normalise_licence_number(self.licence_number))
            .select_related("organisation")
            .with_periods()
            .first()
        )
        if licence is None:
            return LicenceCheck(None, tax_id_matches=False, support_active=False)
        return LicenceCheck(
            licence,
            tax_id_matches=licence.organisation.tax_id == self.tax_id,
            support_active=licence.subscription_active(),
        )

    def others_from_the_address(self) -> models.QuerySet[AccessRequest]:
        """The address's other requests, newest first."""
        return AccessRequest.objects.filter(email__iexact=self.email).exclude(
            pk=self.pk
        )

    def account_fact(self) -> str:
        """What staff must know before approving: whose account the address is."""
        user = self.existing_account
        if user is None:
            return ""
        name = user.get_full_name()
        if user.is_staff or user.is_superuser:
            if user.is_active:
                return _(
                    "The address belongs to the active staff account of %(name)s. "
                    "It cannot be approved: staff sign in with their own account."
                ) % {"name": name}
            return _(
                "The address belongs to the deactivated staff account of %(name)s. "
                "Approving makes it a customer's contact without any staff rights; "
                "only an administrator can reactivate staff, in the admin."
            ) % {"name": name}
        membership = user.membership_or_none
        if membership is None:
            place = _("no organisation")
        else:
            place = f"{membership.get_role_display()}, {membership.organisation.name}"
        if user.is_active:
            fact = _(
                "The address belongs to the active account of %(name)s (%(place)s)."
            )
        else:
            fact = _(
                "The address belongs to the deactivated account of %(name)s "
                "(%(place)s)."
            )
        return " ".join(
            [
                fact % {"name": name, "place": place},
                str(
                    _(
                        "Approving restores it as a member of the organisation "
                        "chosen below, without any earlier role."
                    )
                ),
            ]
        )


class InvitationQuerySet(models.QuerySet["Invitation"]):
    def usable(self) -> InvitationQuerySet:
        return self.filter(accepted_at=None, revoked_at=None, expires_at__gt=now())


class Invitation(models.Model):
    """A sign-up link for one e-mail address into one organisation."""

    token = models.CharField(max_length=64, unique=True, editable=False)
    email = models.EmailField(_("e-mail"))
    full_name = models.CharField(_("full name"), max_length=200)
    position = models.CharField(_("position"), max_length=200, blank=True)
    phone = PhoneNumberField(_("phone"), blank=True)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="invitations",
        verbose_name=_("organisation"),
    )
    role = models.CharField(
        _("role"),
        max_length=16,
        choices=Membership.Role,
        default=Membership.Role.MEMBER,
    )
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
    )
    invited_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("invited by"),
    )
    access_request = models.ForeignKey(
        AccessRequest,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitations",
        verbose_name=_("access request"),
    )
    created_at = models.DateTimeField(_("created"), default=now)
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("accepted by"),
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} → {self.organisation}"


class AccountEvent(models.Model):
    """A change to what an account may do, kept for the record."""

    class Kind(models.TextChoices):
        DEACTIVATED = "deactivated", _("Deactivated")
        REACTIVATED = "reactivated", _("Reactivated")
        REMOVED = "removed", _("Removed by a manager")
        RESTORED = "restored", _("Restored as a contact")
        PRIVILEGES_REMOVED = "privileges_removed", _("Staff rights removed")
        ERASED = "erased", _("Personal data erased")

    user = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        related_name="account_events",
        verbose_name=_("account"),
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind)
    by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    note = models.TextField(_("note"), blank=True)
    # The integration token a change was made through, if any.
    via = models.CharField(
        _("through"),
        max_length=200,
        blank=True,
        default=audit.current_via,
        db_default="",
    )
    created_at = models.DateTimeField(_("created"), default=now, db_index=True)

    class Meta:
        verbose_name = _("account event")
        verbose_name_plural = _("account events")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.user}: {self.get_kind_display()}"


# The version of the consent text (the privacy notice) that people agree to
# now: the notice is `templates/accounts/privacy_notice/<version>.html`. A new
# wording is a new file and a new version; the old files stay, since each
# `Consent` names the text it was given to.
CONSENT_VERSION = "2026-1"


class Consent(models.Model):
    """A person's consent to the processing of their personal data: to which
    text (its version), when, from which address and on which form."""

    class Purpose(models.TextChoices):
        ACCESS_REQUEST = "access_request", _("Access request")
        SIGN_UP = "sign_up", _("Sign-up")
        INVITATION = "invitation", _("Invitation accepted")

    user = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="consents",
        verbose_name=_("account"),
    )
    access_request = models.ForeignKey(
        AccessRequest,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="consents",
        verbose_name=_("access request"),
    )
    purpose = models.CharField(_("given on"), max_length=32, choices=Purpose)
    version = models.CharField(_("text version"), max_length=32)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    created_at = models.DateTimeField(_("given at"), default=now, db_index=True)

    class Meta:
        verbose_name = _("consent to personal data processing")
        verbose_name_plural = _("consents to personal data processing")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False) | Q(access_request__isnull=False),
                name="consent_names_a_person",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} {self.version} {self.created_at:%Y-%m-%d %H:%M}"


class SubscriptionReminder(models.Model):
    """One reminder about one subscription end; the unique key makes it once only."""

    class Kind(models.TextChoices):
        DAYS_30 = "30_days", _("30 days before the end")
        DAYS_7 = "7_days", _("7 days before the end")
        ENDED = "ended", _("Subscription ended")

    licence = models.ForeignKey(
        Licence,
        on_delete=models.CASCADE,
        related_name="reminders",
        verbose_name=_("licence"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind)
    support_ends_on = models.DateField(_("support ends on"))
    created_at = models.DateTimeField(_("created"), default=now)
    # Empty until the mail has gone out; a run that finds it empty sends it.
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("subscription reminder")
        verbose_name_plural = _("subscription reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["licence", "kind", "support_ends_on"],
                name="one_reminder_per_end",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.licence.number}: {self.get_kind_display()}"


class LicenceImport(models.Model):
    """A CSV file of licences: previewed row by row, then imported all at once."""

    class Status(models.TextChoices):
        PREVIEWING = "previewing", _("Checking the file")
        PREVIEWED = "previewed", _("Checked, ready to import")
        IMPORTING = "importing", _("Importing")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Failed")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    file_name = models.CharField(_("file name"), max_length=255)
    content = models.TextField(_("content"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status, default=Status.PREVIEWING
    )
    # {"create": n, "change": n, "unchanged": n, "invalid": n}
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    # One entry per row: {"line", "number", "action", "errors": [[code, params]]}
    rows = models.JSONField(_("rows"), default=list, blank=True)
    failure = models.TextField(_("failure"), blank=True)
    created_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("by"),
    )
    created_at = models.DateTimeField(_("created"), default=now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("licence import")
        verbose_name_plural = _("licence imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.headline})"

    @property
    def headline(self) -> str:
        """The status as the page says it: a checked file with invalid rows
        is not ready to import, and says what blocks it."""
        invalid = self.summary.get("invalid", 0)
        if self.status == self.Status.PREVIEWED and invalid:
            return ngettext(
                "Checked: %(count)d invalid row blocks the import",
                "Checked: %(count)d invalid rows block the import",
                invalid,
            ) % {"count": invalid}
        return str(self.get_status_display())
