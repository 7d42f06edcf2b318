"""`make run` serves the knowledge base from SQLite, where search and
suggestions match substrings instead of PostgreSQL's full text: the demo's
articles are found, suggested and linked there (in a child process with a
migrated SQLite file)."""

from __future__ import annotations

from tests.on_sqlite import run_on_sqlite

SCRIPT = """
import io, json, django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
call_command("seed_demo", stdout=io.StringIO())
call_command("seed_demo_knowledge", stdout=io.StringIO())
from django.test import Client
from accounts.models import User
from tests.auth import sign_in
from tickets.models import Ticket
seen = {}
visitor = Client()
search = visitor.get("/kb/search/", {"q": "резервное копирование"})
seen["search"] = [search.status_code, search.content.decode()]
seen["typo"] = visitor.get("/kb/search/", {"q": "ЗЗЗ"}).status_code
seen["typos"] = {
    q: visitor.get("/kb/search/", {"q": q}).content.decode()
    for q in ["Рызервное копирывание", "принтер"]
}
customer = Client()
sign_in(customer, User.objects.get(email="customer@example.com"))
suggested = customer.post("/kb/suggest/", {"subject": "не приходят письма SMTP"})
seen["suggest"] = [suggested.status_code, suggested.content.decode()]
from django.utils import translation
from knowledge.deflection import find
filer = User.objects.get(email="customer@example.com")
seen["suggested"] = {}
for language, subject in [
    ("en", "Backup of the server"),
    ("ru", "Как настроить почту"),
    ("ru", "ошибка активации"),
    ("ru", "Обновление сервера"),
]:
    with translation.override(language):
        seen["suggested"][subject] = [t.title for t in find(filer, subject)]
agent_user = User.objects.get(email="agent@example.com")
agent = Client()
sign_in(agent, agent_user)
ticket = Ticket.objects.visible_to(agent_user).filter(licence__product="Helpdesk Server").first()
found = agent.get(f"/kb/ticket/{ticket.reference}/find/", {"q": "копир"})
seen["find"] = [found.status_code, found.json()]
supervisor = Client()
sign_in(supervisor, User.objects.get(email="supervisor@example.com"))
seen["figures"] = supervisor.get("/kb/figures/").status_code
print(json.dumps(seen))
"""


def test_the_knowledge_base_searches_and_suggests_on_sqlite(tmp_path) -> None:
    seen = run_on_sqlite(SCRIPT, tmp_path, demo=True)

    status, html = seen["search"]
    assert status == 200
    assert "Ночное резервное копирование в сетевую папку" in html
    assert seen["typo"] == 200
    # Typos: titles with words like those typed (pg_trgm's part on PostgreSQL).
    assert (
        "Ночное резервное копирование в сетевую папку"
        in seen["typos"]["Рызервное копирывание"]
    )
    assert "kb-results" not in seen["typos"]["принтер"]
    status, html = seen["suggest"]
    assert status == 200
    assert "Настройка почтовых уведомлений (SMTP)" in html
    # Titles sharing the subject's words, most first; not every text with
    # "the" or "server" in it.
    suggested = seen["suggested"]
    assert set(suggested.pop("Backup of the server")) == {
        "Restoring from a backup",
        "Nightly backups to a network share",
        "Moving the database to a new server",
        "Upgrading the server to 5.2",
    }
    assert suggested == {
        "Как настроить почту": ["Настройка почтовых уведомлений (SMTP)"],
        "ошибка активации": ["Ошибка 0x17 при активации"],
        "Обновление сервера": [
            "Обновление сервера до версии 5.2",
            "Перенос базы данных на новый сервер",
        ],
    }
    status, found = seen["find"]
    assert status == 200
    assert "Ночное резервное копирование в сетевую папку" in {
        article["title"] for article in found["articles"]
    }
    assert seen["figures"] == 200
