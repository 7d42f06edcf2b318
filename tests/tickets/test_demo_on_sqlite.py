"""`make run` serves the demo from SQLite, which refuses some SQL that
PostgreSQL takes (a LIMIT inside a UNION, for one): the main pages of each
demo role open there, in a child process with a migrated SQLite file."""

from __future__ import annotations

from tests.on_sqlite import run_on_sqlite

SCRIPT = """
import io, json, django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
call_command("seed_demo", stdout=io.StringIO())
from django.test import Client
from accounts.models import User
from tests.auth import sign_in
from tickets.models import Ticket
answers = {}
for email, paths in [
    ("customer@example.com", ["/", "/tickets/", "/tickets/new/", "/profile/"]),
    ("agent@example.com", ["/staff/queue/", "/staff/queue/?view=mine"]),
    ("supervisor@example.com", ["/staff/dashboard/", "/staff/access-requests/"]),
]:
    user = User.objects.get(email=email)
    client = Client()
    sign_in(client, user)
    ticket = Ticket.objects.visible_to(user).latest_activity_first().first()
    for path in [*paths, ticket.get_absolute_url()]:
        answers[f"{email} {path}"] = client.get(path).status_code
print(json.dumps(answers))
"""


def test_the_demo_pages_open_on_sqlite(tmp_path) -> None:
    answers = run_on_sqlite(SCRIPT, tmp_path, demo=True)

    assert len(answers) == 11
    assert {page: code for page, code in answers.items() if code != 200} == {}
