from __future__ import annotations

import pytest
from django.core.management import call_command

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
