"""`make run` (SQLite, eager tasks): the admin's erasure is done in one step,
before the page answers."""

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
from privacy.models import Erasure
from tests.auth import sign_in
client = Client()
sign_in(client, User.objects.get(email="admin@example.com"))
person = User.objects.get(email="customer@example.com")
response = client.post(
    f"/admin/accounts/user/{person.pk}/erase/",
    {"confirmation": person.email, "remove_attachments": "on"},
)
person.refresh_from_db()
print(json.dumps({
    "status_code": response.status_code,
    "erasure": Erasure.objects.get(user=person).status,
    "email": person.email,
    "active": person.is_active,
}))
"""


def test_the_demo_erases_in_one_step(tmp_path) -> None:
    answer = run_on_sqlite(SCRIPT, tmp_path, demo=True)

    assert answer.pop("email").startswith("erased-")
    assert answer == {"status_code": 302, "erasure": "done", "active": False}
