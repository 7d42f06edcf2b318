"""Staff search on PostgreSQL: stemmed Russian and English, ranked, indexed."""

from __future__ import annotations

import pytest
from django.db import connection

from tests.requirements import require
from tickets.models import Ticket
from tickets.services import add_message, open_ticket

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _needs_postgres() -> None:
    require(
        connection.vendor == "postgresql",
        f"the suite runs on {connection.vendor}; set DATABASE_URL to a PostgreSQL database",
    )


def _file(contact, licence, subject: str, text: str) -> Ticket:
    return open_ticket(
        contact=contact,
        licence=licence,
        subject=subject,
        description=text,
        category=Ticket.Category.CONFIGURATION,
    )


@pytest.fixture
def printer(customer, active_licence) -> Ticket:
    return _file(
        customer, active_licence, "Не печатаются отчёты", "Принтер молчит с утра."
    )


@pytest.fixture
def backups(customer, active_licence) -> Ticket:
    return _file(
        customer,
        active_licence,
        "Backup settings",
        "The nightly copies stopped after the servers were updated.",
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # Other forms of the same words: Russian and English stemming.
        ("отчёт", "printer"),
        ("принтеры", "printer"),
        ("печатается", "printer"),
        ("server", "backups"),
        ("copy", "backups"),
        ("update nightly", "backups"),
    ],
)
def test_words_match_in_any_form(printer, backups, query, expected) -> None:
    tickets = {"printer": printer, "backups": backups}

    assert list(Ticket.objects.search(query)) == [tickets[expected]]


def test_every_word_must_match(printer, backups) -> None:
    assert list(Ticket.objects.search("принтер servers")) == []


def test_a_later_message_is_found(customer, agent, printer) -> None:
    assert list(Ticket.objects.search("картридж")) == []

    add_message(printer, author=agent, body="Замените картриджи, пожалуйста.")

    assert list(Ticket.objects.search("картридж")) == [printer]


def test_a_match_in_the_subject_ranks_above_one_in_the_text(
    customer, active_licence
) -> None:
    in_text = _file(customer, active_licence, "Вопрос", "Не работает лицензия")
    in_subject = _file(customer, active_licence, "Лицензия", "Не работает")

    assert list(Ticket.objects.search("лицензия")) == [in_subject, in_text]


def test_a_renamed_contact_is_found_by_the_new_name_only(customer, printer) -> None:
    old_name = customer.full_name.split()[-1]
    assert list(Ticket.objects.search(old_name)) == [printer]

    customer.full_name = "Анна Кузнецова"
    customer.save()

    assert list(Ticket.objects.search("Кузнецова")) == [printer]
    assert list(Ticket.objects.search("Анна Кузнецова")) == [printer]
    assert list(Ticket.objects.search(old_name)) == []


def test_renaming_the_organisation_rewrites_no_ticket(
    organisation, printer, django_assert_num_queries
) -> None:
    with django_assert_num_queries(1) as context:
        organisation.name = "ООО «Гамма-Софт»"
        organisation.save()

    assert "tickets_ticket" not in context.captured_queries[0]["sql"]
    # A word of the name and a word of the text together.
    assert list(Ticket.objects.search("Гамма-Софт отчёты")) == [printer]
    assert list(Ticket.objects.search("Гамма-Софт backup")) == []


def test_a_word_may_match_a_name_or_the_text(
    organisation, customer, active_licence, printer
) -> None:
    organisation.name = "Принтер-Сервис"
    organisation.save()
    other = _file(customer, active_licence, "Принтер не видит бумагу", "Лоток пуст.")

    # "Принтер" is in the organisation's name (both tickets) and in the first
    # ticket's text; "лоток" only in the second's text.
    assert set(Ticket.objects.search("принтер")) == {printer, other}
    assert list(Ticket.objects.search("принтер лоток")) == [other]


def test_a_word_in_too_many_names_to_list_still_matches(
    organisation, printer, monkeypatch
) -> None:
    from accounts.models import Organisation
    from tickets.models import ticket as ticket_module

    Organisation.objects.create(name="Альфа-Печать", tax_id="7707083893")
    organisation.name = "Альфа-Отчёты"
    organisation.save()
    monkeypatch.setattr(ticket_module, "NAME_MATCHES", 1)

    assert list(Ticket.objects.search("Альфа")) == [printer]


def test_the_index_holds_the_tickets_own_text_only(organisation, printer) -> None:
    from django.contrib.postgres.search import SearchQuery

    def indexed(word: str) -> bool:
        query = SearchQuery(word, config="russian")
        return Ticket.objects.filter(pk=printer.pk, search_vector=query).exists()

    assert indexed("принтер")
    assert indexed(printer.reference)
    assert not indexed(organisation.name.split()[-1].strip("«»"))


def test_reindex_search_rebuilds_every_ticket(printer, backups) -> None:
    from io import StringIO

    from django.core.management import call_command

    Ticket.objects.update(search_vector=None)
    assert list(Ticket.objects.search("принтер")) == []
    out = StringIO()

    call_command("reindex_search", stdout=out)

    assert out.getvalue().strip() == "Tickets indexed: 2"
    assert list(Ticket.objects.search("принтер")) == [printer]


def test_search_uses_the_gin_index(printer, backups) -> None:
    # Too few rows for the planner to choose by cost as it would with a
    # million; forbidding sequential scans and plain index scans (walking the
    # created_at index and filtering) shows whether the GIN index can answer
    # the query at all. `make bench` shows the plan it picks at scale.
    query = Ticket.objects.search("принтер отчёт")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        plan = query.explain()

    assert "ticket_search" in plan
    assert "Seq Scan on tickets_ticket" not in plan


def test_name_lookups_use_trigram_indexes() -> None:
    from accounts.models import Licence, Organisation, User

    lookups = {
        "user_full_name_trgm": User.objects.filter(full_name__icontains="смирн"),
        "user_email_trgm": User.objects.filter(email__icontains="alfa.exa"),
        "organisation_name_trgm": Organisation.objects.filter(name__icontains="альф"),
        "licence_number_trgm": Licence.objects.filter(number__icontains="0001-AA"),
    }
    # As above: without scans that read every row (a sequential scan, or a
    # walk along the ordering's b-tree), can a trigram index answer?
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        plans = {name: query.explain() for name, query in lookups.items()}

    assert {name: name in plan for name, plan in plans.items()} == dict.fromkeys(
        lookups, True
    )


def test_a_filed_ticket_is_indexed_as_a_rebuild_would_index_it(printer) -> None:
    # Filing stores the vector with the new row; `reindex_search` rebuilds it
    # from the stored text: both must agree, or search drifts after a rebuild.
    def vector() -> str:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT search_vector::text FROM tickets_ticket WHERE id = %s",
                [printer.pk],
            )
            return cursor.fetchone()[0]

    stored = vector()
    assert "'принтер':" in stored
    assert "'customer@alfa.example':" in stored
    Ticket.objects.filter(pk=printer.pk).refresh_search_index()
    assert vector() == stored
