"""A large, realistic data set for `make bench`, loaded with COPY.

    DATABASE_URL=postgres://.../helpdesk_bench_N .venv/bin/python bench/seed.py --tickets N

bench/run.py runs it on a database it has just created and migrated. It fills
an empty, migrated PostgreSQL database: 5,000 organisations, 20,000 contacts,
8,000 licences, 40 staff, and tickets over three years with 1–30 messages each
(about four a ticket on average), in Russian and English, with their status
history. Rows are generated in Python and streamed into `COPY ... FROM STDIN`,
so PostgreSQL parses one batch while Python writes the next; the big tables'
secondary indexes and foreign keys are dropped for the load and rebuilt in
one pass each afterwards. The database is then marked with its size
(`COMMENT ON DATABASE`), which bench/run.py reads to reuse it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import random
import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django

django.setup()

from allauth.mfa.models import Authenticator  # noqa: E402
from allauth.mfa.totp.internal.auth import TOTP  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Model  # noqa: E402

from accounts.models import (  # noqa: E402
    Licence,
    Membership,
    Organisation,
    StaffRole,
    SubscriptionPeriod,
    User,
)
from accounts.validators import is_valid_tax_id  # noqa: E402
from schedule import current as support_hours  # noqa: E402
from tickets.models import (  # noqa: E402
    Message,
    SlaTarget,
    Ticket,
    TicketCounter,
    TicketEvent,
)
from tickets.sla import sla_state, stored_facts  # noqa: E402

ORGANISATIONS = 5_000
CONTACTS = 20_000
LICENCES = 8_000
AGENTS = 37
SUPERVISORS = 3
# The organisation whose manager the bench signs in as: 10,000 tickets.
BIG_ORGANISATION_TICKETS = 10_000
# Who files tickets in the bench: an organisation of its own, so the big
# organisation's list stays the size it was seeded with.
BENCH_PASSWORD = "bench-password-not-secret"
STAFF_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
YEARS = 3
# The database's comment once seeded: the size first (what bench/run.py
# matches), then how the seeding went. Still named after the management
# command it came from, so that databases seeded by it are reused.
MARKER = "seed_bench tickets={tickets}; rows={rows}; seconds={seconds}"

PRIORITIES = (["low"] * 20) + (["normal"] * 60) + (["high"] * 15) + (["critical"] * 5)
CATEGORIES = (
    (["configuration"] * 35)
    + (["malfunction"] * 40)
    + (["licensing"] * 15)
    + (["other"] * 10)
)
CHANNELS = (["web"] * 60) + (["email"] * 35) + (["phone"] * 4) + (["telegram"] * 1)
# Fresh tickets (two weeks) are still being worked; older ones are mostly closed.
RECENT_STATUSES = (
    (["new"] * 15)
    + (["open"] * 35)
    + (["waiting"] * 20)
    + (["resolved"] * 20)
    + (["closed"] * 10)
)
OLD_STATUSES = (["closed"] * 985) + (["waiting"] * 7) + (["open"] * 8)
RECENT = dt.timedelta(days=14)

FIRST_NAMES_RU = [
    "Анна",
    "Мария",
    "Елена",
    "Ольга",
    "Наталья",
    "Ирина",
    "Сергей",
    "Андрей",
    "Алексей",
    "Дмитрий",
    "Михаил",
    "Иван",
    "Павел",
    "Николай",
    "Татьяна",
    "Юлия",
]
LAST_NAMES_RU = [
    "Смирнов",
    "Иванов",
    "Кузнецов",
    "Попов",
    "Васильев",
    "Петров",
    "Соколов",
    "Михайлов",
    "Новиков",
    "Фёдоров",
    "Морозов",
    "Волков",
    "Алексеев",
    "Лебедев",
    "Семёнов",
    "Егоров",
]
FIRST_NAMES_EN = [
    "John",
    "Mary",
    "James",
    "Linda",
    "Robert",
    "Susan",
    "Michael",
    "Karen",
    "David",
    "Laura",
]
LAST_NAMES_EN = [
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Johnson",
    "Davies",
    "Evans",
    "Walker",
]
COMPANY_WORDS = [
    "Альфа",
    "Бета",
    "Вектор",
    "Гранит",
    "Дельта",
    "Енисей",
    "Заря",
    "Импульс",
    "Кристалл",
    "Луч",
    "Меридиан",
    "Нева",
    "Орион",
    "Полюс",
    "Ракурс",
    "Сфера",
    "Титан",
    "Урал",
    "Феникс",
    "Эталон",
]
COMPANY_FORMS = ["ООО «{}»", "АО «{}»", "ПАО «{}»", "{} Ltd", "ГК «{}»"]
PRODUCTS = [
    ("Сервер печати", "Стандарт"),
    ("Сервер печати", "Корпоративная"),
    ("Клиент мониторинга", "Базовая"),
    ("Шлюз обмена", "Enterprise"),
    ("Report Designer", "Professional"),
]
SUBJECTS_RU = [
    "Не запускается служба после обновления",
    "Ошибка активации лицензии",
    "Как настроить резервное копирование",
    "Медленно открываются отчёты",
    "Не приходят уведомления на почту",
    "Сбой при импорте справочника",
    "Вопрос по продлению подписки",
    "Падает клиент при печати",
    "Не удаётся подключиться к серверу",
    "Ошибка 0x80070005 при установке",
    "Как перенести базу на новый сервер",
    "Неверно считается итог в отчёте",
]
SUBJECTS_EN = [
    "Service does not start after update",
    "License activation error",
    "How to configure backups",
    "Reports open slowly",
    "Email notifications are not delivered",
    "Import of the directory fails",
    "Question about subscription renewal",
    "Client crashes when printing",
    "Cannot connect to the server",
    "Error 0x80070005 during installation",
]
SENTENCES_RU = [
    "Добрый день, после установки последнего обновления служба перестала запускаться.",
    "В журнале событий появляется ошибка доступа к каталогу с данными.",
    "Перезагрузка сервера не помогла, проблема повторяется каждый раз.",
    "Прошу подсказать, какие права нужны учётной записи службы.",
    "Лицензия была активирована в прошлом году, ключ не менялся.",
    "Пользователи жалуются, что отчёты формируются по несколько минут.",
    "Мы проверили настройки брандмауэра, порт открыт.",
    "Прикладываю журнал и снимок экрана с текстом ошибки.",
    "Проблема проявляется только у части пользователей в филиале.",
    "Подскажите, пожалуйста, можно ли перенести лицензию на другой сервер.",
    "Версия продукта указана в свойствах файла, сборка от марта.",
    "Спасибо, после изменения параметра всё заработало.",
    "Попробуйте очистить кэш и перезапустить службу от имени администратора.",
    "Это известная ошибка, исправление войдёт в следующий выпуск.",
    "Уточните, пожалуйста, версию операционной системы и базы данных.",
    "Мы воспроизвели проблему на тестовом стенде и передали её разработчикам.",
    "Для продления подписки отправьте, пожалуйста, реквизиты организации.",
    "Резервное копирование настраивается в разделе «Обслуживание».",
]
SENTENCES_EN = [
    "Hello, after installing the latest update the service no longer starts.",
    "The event log shows an access denied error for the data folder.",
    "Restarting the server did not help; the problem comes back every time.",
    "Could you tell us which permissions the service account needs?",
    "The license was activated last year and the key has not changed.",
    "Users report that reports take several minutes to build.",
    "We checked the firewall settings and the port is open.",
    "I attach the log and a screenshot of the error message.",
    "Only some users in the branch office are affected.",
    "Thank you, everything works after changing the setting.",
    "Please clear the cache and restart the service as an administrator.",
    "This is a known issue; the fix will ship in the next release.",
    "Please tell us the operating system and database versions.",
    "We reproduced the problem on a test system and passed it to development.",
]


def tax_id(n: int) -> str:
    """A valid company INN: the one check digit the product's validator accepts."""
    base = f"78{n:07d}"
    return next(base + digit for digit in "0123456789" if is_valid_tax_id(base + digit))


def licence_number(n: int) -> str:
    return f"BN{n // 10000:02d}-{n % 10000:04d}-{(n * 7919) % 10000:04d}-BNCH"


def escape(text: str) -> str:
    """A value for COPY's text format."""
    return (
        text.replace("\\", "\\\\")
        .replace("\t", "\\t")
        .replace("\n", "\\n")
        .replace("\r", "\\r")
    )


def value(item: object) -> str:
    if item is None:
        return "\\N"
    if isinstance(item, bool):
        return "t" if item else "f"
    if isinstance(item, dt.datetime):
        return item.isoformat()
    return str(item)


class RowStream(io.RawIOBase):
    """A file that COPY reads: rows are produced as PostgreSQL asks for them."""

    def __init__(self, rows: Iterable[str]) -> None:
        self._rows = iter(rows)
        self._buffer = b""

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        want = size if size and size > 0 else 1 << 20
        parts, length = [self._buffer], len(self._buffer)
        for row in self._rows:
            data = row.encode()
            parts.append(data)
            length += len(data)
            if length >= want:
                break
        data = b"".join(parts)
        self._buffer = data[want:]
        return data[:want]


def columns(model: type[Model], names: list[str]) -> str:
    fields = {field.name: field.column for field in model._meta.concrete_fields}
    return ", ".join(fields[name] for name in names)


def copy_rows(
    model: type[Model], names: list[str], rows: Iterable[tuple[object, ...]]
) -> None:
    table = model._meta.db_table
    lines = ("\t".join(value(item) for item in row) + "\n" for row in rows)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(
            f"COPY {table} ({columns(model, names)}) FROM STDIN", RowStream(lines)
        )


class Seeder:
    """Fills an empty, migrated PostgreSQL database; `run()` is the whole seed."""

    def __init__(self, *, seed: int = 8) -> None:
        self.rng = random.Random(seed)
        self.now = dt.datetime.now(dt.UTC).replace(microsecond=0)
        self.rows = 0

    def run(self, tickets: int) -> None:
        if connection.vendor != "postgresql":
            raise SystemExit("bench/seed.py needs PostgreSQL (it loads with COPY).")
        if Ticket.objects.exists() or Organisation.objects.exists():
            raise SystemExit(
                "bench/seed.py fills an empty database; this one has data already."
            )
        began = time.monotonic()
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO off")
            cursor.execute("SET maintenance_work_mem TO '512MB'")
        self.step("people and licences", self.seed_accounts)
        self.step("staff", self.seed_staff)
        deferred = self.drop_constraints([Ticket, Message, TicketEvent])
        self.step("tickets, messages, events", lambda: self.seed_tickets(tickets))
        # Before the GIN index comes back: one build instead of a million updates.
        self.step("search index", self.index_for_search)
        self.step("indexes and keys", lambda: self.restore(deferred))
        self.step("sequences and statistics", self.finish)
        elapsed = time.monotonic() - began
        marker = MARKER.format(tickets=tickets, rows=self.rows, seconds=round(elapsed))
        name = connection.ops.quote_name(connection.settings_dict["NAME"])
        with connection.cursor() as cursor:
            cursor.execute(f"COMMENT ON DATABASE {name} IS '{marker}'")
        print(
            f"seeded {tickets:,} tickets, {self.rows:,} rows in {elapsed:,.0f} s "
            f"= {self.rows / elapsed:,.0f} rows/s",
            flush=True,
        )

    def step(self, name: str, action) -> None:
        began, rows = time.monotonic(), self.rows
        action()
        elapsed = time.monotonic() - began
        added = self.rows - rows
        rate = f", {added / elapsed:,.0f} rows/s" if added else ""
        print(f"  {name}: {added:,} rows in {elapsed:,.1f} s{rate}", flush=True)

    def copy(self, model: type[Model], names: list[str], rows: Iterable[tuple]) -> None:
        def counted() -> Iterator[tuple]:
            for row in rows:
                self.rows += 1
                yield row

        copy_rows(model, names, counted())

    # -- organisations, contacts, licences ---------------------------------

    def person(self, language: str) -> str:
        if language == "en":
            return f"{self.rng.choice(FIRST_NAMES_EN)} {self.rng.choice(LAST_NAMES_EN)}"
        return f"{self.rng.choice(LAST_NAMES_RU)} {self.rng.choice(FIRST_NAMES_RU)}"

    def seed_accounts(self) -> None:
        rng, now = self.rng, self.now
        start = now - dt.timedelta(days=365 * YEARS + 180)
        org_base = self.next_id(Organisation)
        self.organisations = list(range(org_base, org_base + ORGANISATIONS))
        self.copy(
            Organisation,
            [
                "id",
                "code",
                "name",
                "tax_id",
                "address",
                "notes",
                "email_domains",
                "is_active",
                "created_at",
                "updated_at",
            ],
            (
                (
                    org_id,
                    f"{rng.getrandbits(128):032x}",
                    rng.choice(COMPANY_FORMS).format(
                        f"{rng.choice(COMPANY_WORDS)}-{n + 1}"
                    ),
                    tax_id(n + 1),
                    "",
                    "",
                    f"org{n + 1:05d}.bench",
                    True,
                    start,
                    start,
                )
                for n, org_id in enumerate(self.organisations)
            ),
        )
        # Contacts: every organisation has a manager first, the big one 50
        # contacts, the others share the rest.
        user_base = self.next_id(User)
        password = make_password(BENCH_PASSWORD)
        owners = list(self.organisations)
        owners += [self.organisations[0]] * 49
        owners += [
            rng.choice(self.organisations[1:]) for _ in range(CONTACTS - len(owners))
        ]
        self.contacts_of: dict[int, list[int]] = {}
        self.language_of: dict[int, str] = {}
        self.email_of: dict[int, str] = {}
        users, memberships = [], []
        for n, org_id in enumerate(owners):
            user_id = user_base + n
            number = org_id - org_base + 1
            language = "en" if rng.random() < 0.2 else "ru"
            first = org_id not in self.contacts_of
            self.contacts_of.setdefault(org_id, []).append(user_id)
            email = (
                f"manager@org{number:05d}.bench"
                if first
                else f"c{n:05d}@org{number:05d}.bench"
            )
            self.language_of[user_id], self.email_of[user_id] = language, email
            users.append(
                (
                    user_id,
                    password,
                    None,
                    False,
                    email,
                    self.person(language),
                    "",
                    "",
                    "",
                    language,
                    True,
                    False,
                    start,
                )
            )
            memberships.append(
                (user_id, org_id, "manager" if first else "member", start)
            )
        self.copy(
            User,
            [
                "id",
                "password",
                "last_login",
                "is_superuser",
                "email",
                "full_name",
                "position",
                "phone",
                "mobile_phone",
                "language",
                "is_active",
                "is_staff",
                "created_at",
            ],
            users,
        )
        self.copy(
            Membership,
            ["user", "organisation", "role", "created_at"],
            memberships,
        )
        licence_base = self.next_id(Licence)
        holders = list(self.organisations) + [
            rng.choice(self.organisations) for _ in range(LICENCES - ORGANISATIONS)
        ]
        self.licences_of: dict[int, list[int]] = {}
        licences, periods = [], []
        today = now.date()
        for n, org_id in enumerate(holders):
            licence_id = licence_base + n
            self.licences_of.setdefault(org_id, []).append(licence_id)
            product, edition = rng.choice(PRODUCTS)
            purchased = today - dt.timedelta(days=rng.randrange(30, 365 * 4))
            licences.append(
                (
                    licence_id,
                    f"{rng.getrandbits(128):032x}",
                    licence_number(n + 1),
                    org_id,
                    product,
                    edition,
                    purchased,
                    rng.choice([5, 10, 25, 50, 100]),
                    "",
                    start,
                    start,
                )
            )
            # Support included for a year, renewed yearly; most are current.
            ends = purchased + dt.timedelta(days=364)
            periods.append((licence_id, "included", purchased, ends, start))
            renewed = rng.random() < 0.85 or n < ORGANISATIONS // 10
            while renewed and ends < today:
                begins = ends + dt.timedelta(days=1)
                ends = begins + dt.timedelta(days=364)
                periods.append((licence_id, "renewal", begins, ends, start))
        self.copy(
            Licence,
            [
                "id",
                "code",
                "number",
                "organisation",
                "product",
                "edition",
                "purchased_on",
                "seats",
                "scope",
                "created_at",
                "updated_at",
            ],
            licences,
        )
        self.copy(
            SubscriptionPeriod,
            ["licence", "kind", "starts_on", "ends_on", "created_at"],
            periods,
        )
        # The staff are created through the ORM next, after these ids.
        with connection.cursor() as cursor:
            for model in [Organisation, User, Membership, Licence, SubscriptionPeriod]:
                self.reset_sequence(cursor, model)

    def seed_staff(self) -> None:
        password = make_password(BENCH_PASSWORD)
        self.agents = []
        roles = [StaffRole.AGENT] * AGENTS + [StaffRole.SUPERVISOR] * SUPERVISORS
        for n, role in enumerate(roles, start=1):
            name = "agent" if role == StaffRole.AGENT else "supervisor"
            user = User.objects.create(
                email=f"{name}{n:02d}@support.bench",
                full_name=self.person("ru"),
                is_staff=True,
                password=password,
            )
            user.groups.add(Group.objects.get(name=role.value))
            TOTP.activate(user, STAFF_TOTP_SECRET)
            self.agents.append(user.pk)
            self.rows += 3
        assert Authenticator.objects.count() >= len(roles)

    # -- tickets ------------------------------------------------------------

    def ticket_orgs(self, tickets: int) -> list[int]:
        """Which organisation each ticket belongs to: one big, the rest skewed."""
        big = min(BIG_ORGANISATION_TICKETS, tickets // 10)
        others = self.organisations[1:]
        # A long tail: a few organisations file most tickets.
        weights = [1 / (rank + 10) for rank in range(len(others))]
        owners = [self.organisations[0]] * big
        owners += self.rng.choices(others, weights=weights, k=tickets - big)
        return owners

    def body(self, language: str) -> str:
        pool = SENTENCES_EN if language == "en" else SENTENCES_RU
        paragraphs = [
            " ".join(self.rng.choices(pool, k=self.rng.randint(1, 4)))
            for _ in range(self.rng.randint(1, 3))
        ]
        return "\n\n".join(paragraphs)

    def message_count(self) -> int:
        # 1–30, about four on average: most tickets are short exchanges.
        return min(30, 1 + int(self.rng.expovariate(1 / 3.5)))

    def seed_tickets(self, tickets: int) -> None:
        rng, now = self.rng, self.now
        first = now - dt.timedelta(days=365 * YEARS)
        span = (now - first).total_seconds()
        # More tickets each year: the instant is skewed towards the present.
        instants = sorted(
            first + dt.timedelta(seconds=span * rng.random() ** 0.8)
            for _ in range(tickets)
        )
        owners = self.ticket_orgs(tickets)
        rng.shuffle(owners)
        targets = SlaTarget.objects.by_priority()
        calendar = support_hours.calendar()
        ticket_base = self.next_id(Ticket)
        message_id = self.next_id(Message)
        counters: dict[int, int] = {}
        ticket_rows: list[tuple] = []
        message_rows: list[tuple] = []
        event_rows: list[tuple] = []
        ticket_cols = [
            "id",
            "code",
            "reference",
            "organisation",
            "licence",
            "contact",
            "contact_email",
            "contact_phone",
            "subject",
            "category",
            "priority",
            "status",
            "channel",
            "assignee",
            "licence_override_reason",
            "created_at",
            "updated_at",
            "first_response_at",
            "last_customer_message_at",
            "last_activity_at",
            "last_staff_reply_at",
            "customer_seen_at",
            "resolved_at",
            "closed_at",
            "status_changed_at",
            "tag_names",
            "sla_due_at",
            "first_response_support_seconds",
            "first_response_met",
            "resolution_met",
            "resolution_support_seconds",
            "staff_replies",
        ]
        message_cols = ["id", "code", "ticket", "author", "kind", "body", "channel"]
        message_cols.append("created_at")
        event_cols = ["ticket", "actor", "kind", "old_value", "new_value", "note"]
        event_cols += ["created_at", "notified_at"]
        batch = 20_000

        self.batches: list[tuple[int, int, tuple[int, int]]] = []

        def flush() -> None:
            if ticket_rows:
                self.batches.append(
                    (
                        ticket_rows[0][0],
                        ticket_rows[-1][0],
                        (message_rows[0][0], message_rows[-1][0]),
                    )
                )
            self.copy(Ticket, ticket_cols, ticket_rows)
            self.copy(Message, message_cols, message_rows)
            self.copy(TicketEvent, event_cols, event_rows)
            ticket_rows.clear()
            message_rows.clear()
            event_rows.clear()

        for n, created in enumerate(instants):
            ticket_id = ticket_base + n
            org_id = owners[n]
            contact = rng.choice(self.contacts_of[org_id])
            language = self.language_of[contact]
            counters[created.year] = counters.get(created.year, 0) + 1
            age = now - created
            status = rng.choice(RECENT_STATUSES if age < RECENT else OLD_STATUSES)
            priority = rng.choice(PRIORITIES)
            channel = rng.choice(CHANNELS)
            agent = rng.choice(self.agents)
            messages = self.message_count()
            # The conversation spreads over up to two weeks (or until now).
            window = min(age, dt.timedelta(days=rng.uniform(0.2, 14)))
            steps = sorted(rng.random() for _ in range(messages + 2))
            moments = [created + window * step for step in steps]
            moments[0] = created
            answered = status != "new"
            first_response = moments[1] if answered and messages > 1 else None
            if answered and first_response is None:
                first_response = created + window * 0.05
            finished = moments[-1]
            changes: list[tuple[str, str, dt.datetime]] = []
            if answered:
                changes.append(("new", "open", first_response))
                if status in {"waiting", "resolved"}:
                    changes.append(("open", status, finished))
                if status == "closed":
                    resolved_at = created + (finished - created) * 0.9
                    changes.append(("open", "resolved", resolved_at))
                    changes.append(("resolved", "closed", finished))
            resolved_at = next(
                (at for _o, new, at in changes if new == "resolved"), None
            )
            closed_at = finished if status == "closed" else None
            # What the services store of the SLA clocks (the queue's deadline,
            # the dashboard's facts), computed as `refresh_sla` does.
            facts = stored_facts(
                sla_state(
                    SimpleNamespace(
                        created_at=created,
                        priority=priority,
                        status=status,
                        first_response_at=first_response,
                    ),
                    [
                        SimpleNamespace(created_at=at, old_value=old, new_value=new)
                        for old, new, at in changes
                    ],
                    targets,
                    now,
                    calendar=calendar,
                )
            )
            subject = rng.choice(SUBJECTS_EN if language == "en" else SUBJECTS_RU)
            last_customer = created
            last_public = created
            last_reply = None
            replies = 0
            for m in range(messages):
                at = moments[m] if m < len(moments) else finished
                if m == 0 or (m % 2 == 0 and rng.random() < 0.8):
                    kind, author = "customer", contact
                    last_customer = at
                elif rng.random() < 0.12:
                    kind, author = "internal_note", agent
                else:
                    kind, author = "reply", agent
                    last_reply = at
                    replies += 1
                if kind != "internal_note":
                    last_public = max(last_public, at)
                message_rows.append(
                    (
                        message_id,
                        f"{rng.getrandbits(128):032x}",
                        ticket_id,
                        author,
                        kind,
                        escape(self.body(language)),
                        channel if m == 0 else "web",
                        at,
                    )
                )
                message_id += 1
            ticket_rows.append(
                (
                    ticket_id,
                    f"{rng.getrandbits(128):032x}",
                    f"HD-{created.year}-{counters[created.year]:06d}",
                    org_id,
                    rng.choice(self.licences_of[org_id]),
                    contact,
                    self.email_of[contact],
                    "",
                    subject,
                    rng.choice(CATEGORIES),
                    priority,
                    status,
                    channel,
                    agent if answered and rng.random() < 0.9 else None,
                    "",
                    created,
                    finished,
                    first_response,
                    last_customer,
                    max([last_public, *(at for _o, _n, at in changes)]),
                    last_reply,
                    # Seen by the customer, but for a few (the list's marker).
                    last_reply if rng.random() < 0.9 else None,
                    resolved_at if status in {"resolved", "closed"} else None,
                    closed_at,
                    max([created, *(at for _o, _n, at in changes)]),
                    "",
                    facts["sla_due_at"],
                    facts["first_response_support_seconds"],
                    facts["first_response_met"],
                    facts["resolution_met"],
                    facts["resolution_support_seconds"],
                    replies,
                )
            )
            event_rows.append(
                (ticket_id, contact, "created", "", "", "", created, created)
            )
            for old, new, at in changes:
                actor = contact if new == "closed" and rng.random() < 0.3 else agent
                event_rows.append((ticket_id, actor, "status", old, new, "", at, at))
            if len(ticket_rows) >= batch:
                flush()
        flush()
        TicketCounter.objects.bulk_create(
            [
                TicketCounter(year=year, last_number=last)
                for year, last in counters.items()
            ]
        )

    def index_for_search(self) -> None:
        """`search_vector` of every ticket, as the services keep it: batch by
        batch, each with the message ids it was loaded with (the index on
        `ticket_id` comes back only afterwards)."""
        for first, last, messages in self.batches:
            Ticket.objects.filter(pk__gte=first, pk__lte=last).refresh_search_index(
                message_ids=messages
            )

    # -- loading helpers ----------------------------------------------------

    def next_id(self, model: type[Model]) -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT coalesce(max(id), 0) + 1 FROM {model._meta.db_table}"
            )
            return cursor.fetchone()[0]

    def drop_constraints(self, models: list[type[Model]]) -> list[str]:
        """Drop the secondary indexes, unique and foreign keys of the big tables;
        return the statements that put them back."""
        tables = [model._meta.db_table for model in models]
        restore: list[str] = []
        with connection.cursor() as cursor:
            cursor.execute(
                """
                SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)
                FROM pg_constraint
                WHERE conrelid::regclass::text = ANY(%s) AND contype IN ('f', 'u')
                ORDER BY contype DESC
                """,
                [tables],
            )
            constraints = cursor.fetchall()
            cursor.execute(
                """
                SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
                FROM pg_index i
                WHERE i.indrelid::regclass::text = ANY(%s)
                  AND NOT i.indisprimary
                  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
                """,
                [tables],
            )
            indexes = cursor.fetchall()
            for table, name, _definition in constraints:
                cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
            for name, definition in indexes:
                cursor.execute(f"DROP INDEX {name}")
                restore.append(definition)
            # Unique keys before the foreign keys that may rest on them.
            for table, name, definition in sorted(
                constraints, key=lambda c: c[2].startswith("FOREIGN")
            ):
                restore.append(
                    f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'
                )
        return restore

    def restore(self, statements: list[str]) -> None:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)

    def finish(self) -> None:
        with connection.cursor() as cursor:
            for model in [Ticket, Message, TicketEvent]:
                self.reset_sequence(cursor, model)
                cursor.execute(f"VACUUM (ANALYZE) {model._meta.db_table}")
            # Every other table too, as autovacuum would in a while: a run
            # right after the seed then measures what a settled database does
            # (visibility maps for index-only scans; GIN pending lists, had any
            # index one).
            cursor.execute("VACUUM (ANALYZE)")

    def reset_sequence(self, cursor, model: type[Model]) -> None:
        table = model._meta.db_table
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"(SELECT coalesce(max(id), 1) FROM {table}))"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=8, help="of the random numbers")
    args = parser.parse_args()
    Seeder(seed=args.seed).run(args.tickets)


if __name__ == "__main__":
    main()
