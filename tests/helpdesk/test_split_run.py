"""`make test` runs the browser tests beside the others (tests/run.py): each
half must have a database and a broker of its own."""

from __future__ import annotations

from tests.run import browser_environment


def test_the_browser_half_gets_a_database_and_a_broker_of_its_own() -> None:
    env = browser_environment(
        {
            "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/helpdesk",
            "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
            "CI": "true",
        }
    )

    assert env == {
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/helpdesk_browser",
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/1",
        "CI": "true",
    }


def test_without_services_nothing_is_shared_to_begin_with() -> None:
    # SQLite in memory and eager tasks: each process has its own.
    assert browser_environment({"PATH": "/usr/bin"}) == {"PATH": "/usr/bin"}
    assert browser_environment({"CELERY_BROKER_URL": "memory://"}) == {
        "CELERY_BROKER_URL": "memory://"
    }
