"""Entries are never changed, and deleted only once older than the retention
floor: Django refuses, and on PostgreSQL so does the database itself, for the
role the application connects as."""

from __future__ import annotations

import datetime

import pytest
from django.core.checks import run_checks
from django.db import DatabaseError, connection, transaction
from django.utils.timezone import now

from audit.models import AppendOnly, AuditEntry
from audit.services import record
from audit.tasks import prune_audit_log

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the trigger is PostgreSQL's"
)
TABLE = AuditEntry._meta.db_table


def _entry(age_days: int = 0) -> AuditEntry:
    return AuditEntry.objects.create(
        action=AuditEntry.Action.EXPORT,
        created_at=now() - datetime.timedelta(days=age_days),
    )


def test_django_refuses_to_change_or_delete(customer) -> None:
    entry = record(AuditEntry.Action.SIGN_IN, actor=customer, target=customer)

    with pytest.raises(AppendOnly):
        AuditEntry.objects.filter(pk=entry.pk).update(action="sign_out")
    with pytest.raises(AppendOnly):
        AuditEntry.objects.all().delete()
    with pytest.raises(AppendOnly):
        entry.delete()
    entry.action = AuditEntry.Action.SIGN_OUT
    with pytest.raises(AppendOnly):
        entry.save()

    assert AuditEntry.objects.get().action == AuditEntry.Action.SIGN_IN


@on_postgresql
@pytest.mark.parametrize(
    "statement",
    [
        f"UPDATE {TABLE} SET action = 'sign_out' WHERE id = %s",
        f"UPDATE {TABLE} SET created_at = created_at - interval '10 years' WHERE id = %s",
        f"DELETE FROM {TABLE} WHERE id = %s",
    ],
)
def test_the_database_refuses_to_change_or_delete_a_recent_entry(
    statement: str,
) -> None:
    entry = _entry(age_days=364)

    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement, [entry.pk])

    assert AuditEntry.objects.filter(
        pk=entry.pk, action=AuditEntry.Action.EXPORT
    ).exists()


@on_postgresql
def test_the_database_refuses_to_change_an_old_entry() -> None:
    entry = _entry(age_days=400)

    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(f"UPDATE {TABLE} SET data = '{{}}' WHERE id = %s", [entry.pk])


def test_the_nightly_prune_deletes_only_what_retention_lets_go(settings) -> None:
    settings.AUDIT_RETENTION_DAYS = 400
    kept = [_entry(), _entry(age_days=399)]
    _entry(age_days=401)
    _entry(age_days=2000)

    assert prune_audit_log.delay().get() == 2

    assert set(AuditEntry.objects.values_list("pk", flat=True)) == {
        entry.pk for entry in kept
    }


def test_a_retention_below_the_floor_is_refused_at_start_up(settings) -> None:
    settings.AUDIT_RETENTION_DAYS = 30

    assert "audit.E001" in {message.id for message in run_checks()}

    settings.AUDIT_RETENTION_DAYS = 365
    assert "audit.E001" not in {message.id for message in run_checks()}
