from __future__ import annotations

import pytest
from django.core.management import call_command

from accounts.models import User
from knowledge import figures
from knowledge.demo import DEFLECTIONS
from knowledge.models import Article, ArticleTranslation

pytestmark = pytest.mark.django_db


def test_the_demo_publishes_its_articles_once(client, capsys) -> None:
    call_command("seed_demo")
    call_command("seed_demo_knowledge")
    call_command("seed_demo_knowledge")

    assert Article.objects.count() == 13
    assert set(Article.objects.values_list("state", flat=True)) == {"published"}
    languages = [
        sorted(a.translations.values_list("language", flat=True))
        for a in Article.objects.all()
    ]
    assert languages.count(["ru"]) == 1
    assert languages.count(["en"]) == 1
    assert Article.objects.filter(visibility="customers").count() == 1
    assert Article.objects.filter(visibility="staff").count() == 1
    assert client.get("/kb/").status_code == 200
    for translation in ArticleTranslation.objects.filter(article__visibility="public"):
        assert client.get(translation.get_absolute_url()).status_code == 200


def test_the_demo_has_filings_with_suggestions_for_the_figures() -> None:
    call_command("seed_demo")
    call_command("seed_demo_knowledge")
    call_command("seed_demo_knowledge")

    seen = figures.figures(30)
    assert seen.attempts == len(DEFLECTIONS)
    assert (seen.solved, seen.filed) == (3, 3)
    # Two more were opened and left, days ago.
    assert seen.deflected == 5
    assert [u.title for u in seen.unhelpful] == ["Ускорение отчётов за большой период"]


def test_the_filing_form_suggests_demo_articles(client) -> None:
    call_command("seed_demo")
    call_command("seed_demo_knowledge")
    customer = User.objects.get(email="customer@example.com")
    client.force_login(customer)

    html = client.post(
        "/kb/suggest/", {"subject": "резервное копирование"}
    ).content.decode()

    assert "Ночное резервное копирование в сетевую папку" in html
    restore = client.post("/kb/suggest/", {"subject": "восстановление из копии"})
    assert "Восстановление из резервной копии" in restore.content.decode()
