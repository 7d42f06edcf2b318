from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils.timezone import localdate, now

from accounts.models import Licence, Membership, Organisation, User
from tickets.dashboard.figures import build
from tickets.models import Message, Ticket
from tickets.services import recompute_sla

pytestmark = pytest.mark.django_db


def _counts() -> tuple[int, ...]:
    return tuple(
        m.objects.count()
        for m in (Organisation, Licence, Membership, User, Ticket, Message)
    )


def test_seed_demo_loads_customers_staff_and_a_lapsed_subscription(capsys) -> None:
    call_command("seed_demo")

    today = localdate()
    licences = Licence.objects.with_periods()
    assert any(not licence.subscription_active(on=today) for licence in licences)
    assert sum(licence.subscription_active(on=today) for licence in licences) >= 3
    assert User.objects.filter(is_staff=True, groups__name="agent").count() == 2
    assert User.objects.filter(is_superuser=True, groups__name="admin").count() == 1
    customer = User.objects.get(email="customer@example.com")
    assert customer.membership.role == Membership.Role.MANAGER
    assert customer.check_password("helpdesk-demo")
    assert "customer@example.com" in capsys.readouterr().out


def test_seed_demo_twice_changes_nothing() -> None:
    call_command("seed_demo")
    first = _counts()

    call_command("seed_demo")

    assert _counts() == first


def test_demo_staff_have_the_printed_authenticator_secret(capsys) -> None:
    from allauth.mfa.models import Authenticator

    from accounts.demo import DEMO_TOTP_SECRET

    call_command("seed_demo")
    call_command("seed_demo")

    staff = User.objects.filter(is_staff=True)
    assert (
        Authenticator.objects.filter(user__in=staff, type="totp").count()
        == staff.count()
    )
    assert DEMO_TOTP_SECRET in capsys.readouterr().out


def test_the_demo_has_a_conversation_to_look_at() -> None:
    call_command("seed_demo")

    answered = Ticket.objects.get(subject__startswith="Служба не запускается")
    assert answered.status == Ticket.Status.WAITING
    assert list(answered.messages.values_list("kind", flat=True)) == [
        "customer",
        "internal_note",
        "reply",
    ]
    solved = Ticket.objects.get(subject="Activation fails with error 0x17")
    assert solved.status == Ticket.Status.CLOSED


def test_the_demo_fills_every_week_of_the_dashboard() -> None:
    call_command("seed_demo")

    figures = build(now())

    assert all(week.first_responses.compliance.total for week in figures.weeks)
    assert all(week.solved.total for week in figures.weeks[:-1])
    assert figures.ratings.recent_total > 0
    assert figures.open_tickets.total > 0
    # The history's stored SLA facts are what the services compute from it.
    assert recompute_sla() == 0


def test_demo_history_looks_as_old_as_it_is_and_is_searchable() -> None:
    from django.db import connection

    call_command("seed_demo")

    history = Ticket.objects.filter(created_at__lt=now() - dt.timedelta(days=2))
    assert history.exists()
    assert not history.filter(updated_at__gt=now() - dt.timedelta(days=1)).filter(
        closed_at__lt=now() - dt.timedelta(days=2)
    )
    if connection.vendor == "postgresql":
        assert not Ticket.objects.filter(search_vector=None).exists()


def test_the_staff_code_is_printed_and_is_one_the_sign_in_accepts(capsys) -> None:
    import re

    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP

    from accounts.demo import current_demo_code

    call_command("seed_demo")
    printed = capsys.readouterr().out
    call_command("demo_code")
    asked = capsys.readouterr().out.split()[0]

    [code] = re.findall(r"now it is (\d{6})", printed)
    assert "oathtool" not in printed
    # Either may have been printed just before a 30-second step ended.
    assert {code, asked} <= {current_demo_code(), current_demo_code(later=-30)}
    authenticator = Authenticator.objects.get(
        user__email="agent@example.com", type=Authenticator.Type.TOTP
    )
    assert TOTP(authenticator).validate_code(current_demo_code())


def test_make_run_serves_the_demo_where_it_is_asked(tmp_path) -> None:
    import os
    import subprocess

    from django.conf import settings

    dry = subprocess.run(
        ["make", "-n", "run", "HOST=0.0.0.0", "PORT=9000"],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    demo = subprocess.run(
        [
            "sh",
            "-c",
            "DEMO=true .venv/bin/python manage.py shell -c "
            "'from django.conf import settings; "
            "print(settings.SUPPORT_EMAIL, settings.SUPPORT_PHONE)'",
        ],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        env={k: v for k, v in os.environ.items() if not k.startswith("SUPPORT_")},
    ).stdout

    assert "DEMO=true SITE_URL=${SITE_URL:-http://0.0.0.0:9000}" in dry
    assert "runserver 0.0.0.0:9000" in dry
    assert demo.split("\n")[-2] == "help@ideco.ru +7 495 662-87-34"
