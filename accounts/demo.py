"""Demo organisations, licences, contacts and staff for `make run`."""

from __future__ import annotations

import datetime
import time
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.contrib.auth.models import Group
from django.utils.timezone import localdate

from accounts.models import Licence, Membership, Organisation, StaffRole, User
from accounts.services import register_licence, renew_subscription

DEMO_PASSWORD = "helpdesk-demo"
# Staff must use two-factor authentication; the demo staff share this secret so
# that anyone trying the demo can add it to an authenticator app.
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


@dataclass(frozen=True)
class DemoLicence:
    number: str
    product: str
    edition: str
    bought_days_ago: int
    renewed_years: int = 0


@dataclass(frozen=True)
class DemoOrganisation:
    name: str
    tax_id: str
    address: str
    licences: tuple[DemoLicence, ...]
    contacts: tuple[tuple[str, str, str, Membership.Role], ...]


ORGANISATIONS = (
    DemoOrganisation(
        name="ООО «Ромашка»",
        tax_id="7701234560",
        address="Москва, ул. Тверская, д. 1",
        licences=(
            DemoLicence("RMSK-0001-SRVR-2026", "Helpdesk Server", "Enterprise", 200),
            DemoLicence(
                "RMSK-0002-WKST-2025", "Helpdesk Workstation", "Standard", 400, 1
            ),
        ),
        contacts=(
            (
                "customer@example.com",
                "Анна Смирнова",
                "Системный администратор",
                Membership.Role.MANAGER,
            ),
            (
                "colleague@example.com",
                "Игорь Кузнецов",
                "Инженер",
                Membership.Role.MEMBER,
            ),
        ),
    ),
    DemoOrganisation(
        name="АО «Северный ветер»",
        tax_id="5027987658",
        address="Санкт-Петербург, Невский пр., д. 10",
        licences=(
            DemoLicence("SVVT-1000-SRVR-2026", "Helpdesk Server", "Standard", 30),
        ),
        contacts=(
            (
                "north@example.com",
                "Ольга Белова",
                "Руководитель ИТ",
                Membership.Role.MANAGER,
            ),
        ),
    ),
    DemoOrganisation(
        name="ООО «Старый клиент»",
        tax_id="7810123451",
        address="Казань, ул. Баумана, д. 5",
        licences=(
            DemoLicence("OLDC-0042-SRVR-2024", "Helpdesk Server", "Standard", 600),
        ),
        contacts=(
            ("lapsed@example.com", "Пётр Орлов", "Инженер", Membership.Role.MANAGER),
        ),
    ),
)

STAFF = (
    ("agent@example.com", "Мария Агентова", StaffRole.AGENT),
    ("agent2@example.com", "Дмитрий Саппортов", StaffRole.AGENT),
    ("supervisor@example.com", "Светлана Старшова", StaffRole.SUPERVISOR),
    ("admin@example.com", "Администратор Портала", StaffRole.ADMIN),
)


def load_demo_accounts() -> list[str]:
    """Create the demo organisations, licences, contacts and staff if absent.

    Returns the lines that tell a person how to sign in.
    """
    today = localdate()
    for demo in ORGANISATIONS:
        organisation, _created = Organisation.objects.get_or_create(
            tax_id=demo.tax_id,
            defaults={"name": demo.name, "address": demo.address},
        )
        for item in demo.licences:
            if Licence.objects.filter(number=item.number).exists():
                continue
            licence = register_licence(
                organisation,
                number=item.number,
                product=item.product,
                edition=item.edition,
                purchased_on=today - datetime.timedelta(days=item.bought_days_ago),
                seats=25,
            )
            if item.renewed_years:
                renew_subscription(licence, years=item.renewed_years, on=today)
        for email, full_name, position, role in demo.contacts:
            user = _user(email, full_name, position=position)
            Membership.objects.get_or_create(
                user=user, defaults={"organisation": organisation, "role": role}
            )
    for email, full_name, role in STAFF:
        user = _user(
            email, full_name, is_staff=True, is_superuser=role == StaffRole.ADMIN
        )
        user.groups.add(Group.objects.get(name=role.value))
        if not Authenticator.objects.filter(
            user=user, type=Authenticator.Type.TOTP
        ).exists():
            TOTP.activate(user, DEMO_TOTP_SECRET)

    lines = ["Demo data is in place. Sign in with:"]
    for demo in ORGANISATIONS:
        for email, _name, _position, role in demo.contacts:
            lines.append(f"  {email:<24} {DEMO_PASSWORD}  ({demo.name}, {role.label})")
    for email, _name, role in STAFF:
        lines.append(f"  {email:<24} {DEMO_PASSWORD}  ({role.label})")
    lines.append(
        "Staff also give a one-time code: now it is "
        f"{current_demo_code()}; `.venv/bin/python manage.py demo_code` prints the "
        f"current one, or add the secret {DEMO_TOTP_SECRET} to an authenticator app."
    )
    return lines


def current_demo_code(later: int = 0) -> str:
    """The demo staff's one-time code for now, or `later` seconds from now."""
    step = int(time.time() + later) // 30
    return format_hotp_value(hotp_value(DEMO_TOTP_SECRET, step))


def _user(email: str, full_name: str, **fields) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(
            email, DEMO_PASSWORD, full_name=full_name, **fields
        )
    EmailAddress.objects.get_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user
