from __future__ import annotations

import copy
import datetime
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.utils.timezone import localdate

from accounts.models import Licence, Membership, Organisation, StaffRole, User
from helpdesk.celery import app as celery_app
from helpdesk.db_router import REPLICA
from schedule import current as support_hours
from tests.brokers import celery_broker
from tests.factories import (
    LicenceFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)
from tests.requirements import require_redis

APPEND_ONLY = {"audit_auditentry"}


def _delete_instead_of_truncate() -> None:
    """A transactional test's flush empties PostgreSQL's tables with DELETE.

    Django's flush truncates all 50 tables in one statement, which costs
    PostgreSQL new files for each and about 0.4 s, after every one of the
    suite's transactional tests; deleting the few rows they hold takes under
    10 ms. The outcome is the same: every row gone, the sequences left as
    they are (`reset_sequences=False`, as TRUNCATE without RESTART IDENTITY),
    and post_migrate then run as before. Every foreign key Django makes there
    is deferred to the commit, so the order of the tables does not matter.
    A flush that resets sequences or cascades beyond its tables (a test's
    `available_apps`) still truncates, and so does the audit log's table
    always: its trigger refuses to DELETE recent rows and does not see
    TRUNCATE (audit/migrations/0002_append_only.py)."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    truncate = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences or allow_cascade or not tables:
            return truncate(
                self,
                style,
                tables,
                reset_sequences=reset_sequences,
                allow_cascade=allow_cascade,
            )
        return [f"{style.SQL_KEYWORD('SET CONSTRAINTS ALL DEFERRED')};"] + [
            f"{style.SQL_KEYWORD('TRUNCATE' if table in APPEND_ONLY else 'DELETE FROM')}"
            f" {style.SQL_FIELD(self.quote_name(table))};"
            for table in tables
        ]

    DatabaseOperations.sql_flush = sql_flush


def _replica_as_a_mirror() -> None:
    """The suite runs with the reports' replica configured, as production may
    (DATABASE_REPLICA_URL), but as a mirror of the test database on the
    primary's server, which the router takes for the primary: reports see each
    test's rows, whatever DATABASE_REPLICA_URL says.
    tests/helpdesk/test_replica.py points it at a real replica."""
    default = settings.DATABASES["default"]
    settings.DATABASES[REPLICA] = {
        **copy.deepcopy(default),
        "TEST": {**default.get("TEST", {}), "MIRROR": "default"},
    }


def pytest_configure(config: pytest.Config) -> None:
    # For speed.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    _replica_as_a_mirror()
    _delete_instead_of_truncate()
    # Tasks run in-process unless a test starts a real worker (tests/test_celery_worker.py).
    celery_app.conf.task_always_eager = True


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    # Rolled-back rows leave their cache entries behind (permission sets,
    # rate limits), and SQLite gives the next test's rows the same keys.
    yield
    cache.clear()
    # The calendar's version went with the cache: without this the process
    # would notice at its next check, 5 s on, in the middle of a later test
    # (and of the queries it counts), instead of at that test's first use.
    support_hours.forget()


# The fixtures below as plain functions too, for data that a whole module
# shares (tests/security/test_authorisation_matrix.py).


def make_organisation() -> Organisation:
    return OrganisationFactory(name="ООО «Альфа»")


def make_other_organisation() -> Organisation:
    return OrganisationFactory(name="АО «Бета»")


def make_active_licence(organisation: Organisation) -> Licence:
    return LicenceFactory(organisation=organisation, number="ALFA-0001-AAAA-0001")


def make_customer(organisation: Organisation) -> User:
    return MembershipFactory(
        organisation=organisation,
        role=Membership.Role.MANAGER,
        user__email="customer@alfa.example",
        user__full_name="Анна Смирнова",
    ).user


def make_colleague(organisation: Organisation) -> User:
    return MembershipFactory(
        organisation=organisation, user__email="colleague@alfa.example"
    ).user


def make_outsider(other_organisation: Organisation) -> User:
    return MembershipFactory(
        organisation=other_organisation, user__email="outsider@beta.example"
    ).user


@pytest.fixture
def organisation() -> Organisation:
    return make_organisation()


@pytest.fixture
def other_organisation() -> Organisation:
    return make_other_organisation()


@pytest.fixture
def active_licence(organisation: Organisation) -> Licence:
    return make_active_licence(organisation)


@pytest.fixture
def lapsed_licence(organisation: Organisation) -> Licence:
    return LicenceFactory(
        organisation=organisation,
        number="ALFA-0002-AAAA-0002",
        purchased_on=localdate() - datetime.timedelta(days=500),
    )


@pytest.fixture
def organisation_with_active_licence(
    organisation: Organisation, active_licence: Licence
) -> Organisation:
    return organisation


@pytest.fixture
def customer(organisation: Organisation) -> User:
    """A manager of the organisation."""
    return make_customer(organisation)


@pytest.fixture
def colleague(organisation: Organisation) -> User:
    """A plain member of the customer's organisation."""
    return make_colleague(organisation)


@pytest.fixture
def outsider(other_organisation: Organisation) -> User:
    """A contact of another organisation: must never see the customer's data."""
    return make_outsider(other_organisation)


# A fixed authenticator secret, so browser tests can compute the current code.
STAFF_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def _staff(email: str, role: StaffRole, *, with_totp: bool = True) -> User:
    from allauth.mfa.totp.internal.auth import TOTP

    user = UserFactory(email=email, full_name=f"{role.label} {email}", is_staff=True)
    user.groups.add(Group.objects.get(name=role.value))
    if with_totp:
        TOTP.activate(user, STAFF_TOTP_SECRET)
    return user


@pytest.fixture
def agent_without_two_factor() -> User:
    return _staff("new-agent@support.example", StaffRole.AGENT, with_totp=False)


def make_agent() -> User:
    return _staff("agent@support.example", StaffRole.AGENT)


def make_supervisor() -> User:
    return _staff("supervisor@support.example", StaffRole.SUPERVISOR)


def make_admin_user() -> User:
    return _staff("admin@support.example", StaffRole.ADMIN)


@pytest.fixture
def agent() -> User:
    return make_agent()


@pytest.fixture
def supervisor() -> User:
    return make_supervisor()


@pytest.fixture
def admin_user() -> User:
    return make_admin_user()


@pytest.fixture
def redis_celery_worker() -> Iterator[object]:
    """A real Celery worker thread consuming from Redis for the length of a test."""
    from celery.contrib.testing.worker import start_worker

    with celery_broker(require_redis()):
        celery_app.control.purge()
        with start_worker(
            celery_app,
            pool="solo",
            perform_ping_check=False,
            shutdown_timeout=10,
            loglevel="WARNING",
        ) as worker:
            yield worker
