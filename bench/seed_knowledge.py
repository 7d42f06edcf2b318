"""The bench's knowledge base: articles in Russian and English, as a vendor
with years of answers has them.

    DATABASE_URL=postgres://.../helpdesk_bench_N .venv/bin/python bench/seed_knowledge.py --articles 10000

bench/run.py runs it after the tickets' seed, on every run: it adds articles
until there are `--articles`, so a database seeded before the knowledge base
existed is topped up rather than built again. Each article has both
languages (a few only one), a category under its product, the products it
applies to, and one revision per text; most are public, some for customers
with active support, a few for staff, and one in twenty is not published.
The search vectors are built in one statement afterwards.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.utils.text import slugify  # noqa: E402

from accounts.models import User  # noqa: E402
from knowledge.models import (  # noqa: E402
    Article,
    ArticleProduct,
    ArticleRevision,
    ArticleTranslation,
    Category,
    SuggestedTitle,
)

BATCH = 1_000
# The seed's products (bench/seed.py `PRODUCTS`), named in both languages.
PRODUCTS = [
    ("Сервер печати", "Print Server"),
    ("Клиент мониторинга", "Monitoring Client"),
    ("Шлюз обмена", "Exchange Gateway"),
    ("Report Designer", "Report Designer"),
]
VERSIONS = [
    "4.8",
    "4.9",
    "5.0",
    "5.1",
    "5.2",
    "5.3",
    "6.0",
    "6.1",
    "6.2",
    "6.3",
    "7.0",
    "7.1",
    "7.2",
]
TOPICS = [
    ("резервное копирование", "backups"),
    ("активация лицензии", "licence activation"),
    ("обновление до новой версии", "upgrading to a new version"),
    ("подключение к LDAP", "connecting to LDAP"),
    ("единый вход (SSO)", "single sign-on (SSO)"),
    ("настройка прокси-сервера", "proxy server settings"),
    ("сертификаты TLS", "TLS certificates"),
    ("журналы и уровень логирования", "logs and log levels"),
    ("квоты печати", "print quotas"),
    ("уведомления по почте", "e-mail notifications"),
    ("права доступа пользователей", "user permissions"),
    ("перенос на другой сервер", "moving to another server"),
    ("кластер и отказоустойчивость", "clustering and failover"),
    ("настройка базы данных", "database settings"),
    ("интеграция с 1С", "integration with 1C"),
    ("API и токены доступа", "API and access tokens"),
    ("производительность и нагрузка", "performance under load"),
    ("антивирус и исключения", "antivirus exclusions"),
    ("шаблоны отчётов", "report templates"),
    ("драйверы принтеров", "printer drivers"),
    ("мониторинг агентов", "monitoring agents"),
    ("планировщик заданий", "the task scheduler"),
    ("часовые пояса и время", "time zones and clocks"),
    ("удаление старых данных", "removing old data"),
    ("двухфакторная аутентификация", "two-factor authentication"),
]
ASPECTS = [
    ("Настройка", "Configuring"),
    ("Ошибки", "Errors in"),
    ("Проверка", "Checking"),
    ("Частые вопросы", "Frequent questions on"),
    ("Пошаговая инструкция", "Step by step:"),
    ("Ограничения", "Limits of"),
    ("Типичные проблемы", "Common problems with"),
    ("Рекомендации", "Recommendations for"),
]
STEPS_RU = [
    "Откройте консоль администратора и перейдите в раздел «Параметры».",
    "Проверьте, что служба запущена от имени учётной записи с правами администратора.",
    "Сохраните изменения и перезапустите службу, чтобы они вступили в силу.",
    "Если ошибка повторяется, приложите к заявке журнал за последние сутки.",
    "Убедитесь, что порт 8443 открыт на межсетевом экране между серверами.",
    "Сравните версию клиента и сервера: они должны совпадать до второй цифры.",
    "Для проверки выполните тестовое задание и посмотрите его статус.",
]
STEPS_EN = [
    "Open the administration console and go to Settings.",
    "Check that the service runs under an account with administrator rights.",
    "Save the changes and restart the service for them to take effect.",
    "If the error comes back, attach the last day's log to a ticket.",
    "Make sure port 8443 is open on the firewall between the servers.",
    "Compare the client's and the server's versions: they must match to the second digit.",
    "To check, run a test job and look at its status.",
]
VISIBILITIES = (
    [Article.Visibility.PUBLIC] * 6
    + [Article.Visibility.CUSTOMERS] * 3
    + [Article.Visibility.STAFF]
)


def body(rng: random.Random, title: str, steps: list[str], headings: tuple) -> str:
    parts = [title + "."]
    for heading in headings:
        parts.append(f"## {heading}")
        parts.extend(f"{n}. {step}" for n, step in enumerate(rng.sample(steps, 4), 1))
    return "\n\n".join(parts)


def seed(articles: int, rng: random.Random) -> int:
    have = Article.objects.count()
    if have >= articles:
        print(f"knowledge base: {have:,} articles, kept", flush=True)
        return 0
    author = User.objects.filter(email="agent01@support.bench").first()
    reviewer = User.objects.filter(email="supervisor38@support.bench").first()
    categories = {}
    for position, (ru, en) in enumerate(PRODUCTS):
        root, _made = Category.objects.get_or_create(
            slug=f"bench-{slugify(en)}",
            defaults={
                "name_ru": ru,
                "name_en": en,
                "product": ru,
                "position": position,
            },
        )
        for topic_ru, topic_en in TOPICS:
            categories[(ru, topic_en)], _made = Category.objects.get_or_create(
                slug=f"bench-{slugify(en)}-{slugify(topic_en)}"[:100],
                defaults={
                    "parent": root,
                    "name_ru": topic_ru.capitalize(),
                    "name_en": topic_en.capitalize(),
                    "product": ru,
                },
            )
    combinations = [
        (product, version, topic, aspect)
        for product in PRODUCTS
        for version in VERSIONS
        for topic in TOPICS
        for aspect in ASPECTS
    ]
    rng.shuffle(combinations)
    now = dt.datetime.now(dt.UTC)
    added = 0
    for start in range(have, articles, BATCH):
        chunk = combinations[start % len(combinations) :][
            : min(BATCH, articles - start)
        ]
        with transaction.atomic():
            made = Article.objects.bulk_create(
                [
                    Article(
                        category=categories[(product[0], topic[1])],
                        visibility=rng.choice(VISIBILITIES),
                        state=(
                            Article.State.PUBLISHED
                            if rng.random() < 0.95
                            else Article.State.DRAFT
                        ),
                        author=author,
                        reviewer=reviewer,
                        published_at=now - dt.timedelta(minutes=rng.randrange(10**6)),
                    )
                    for product, _version, topic, _aspect in chunk
                ]
            )
            texts, products = [], []
            for n, (article, combination) in enumerate(
                zip(made, chunk, strict=True), start=start
            ):
                (product_ru, product_en), version, topic, aspect = combination
                if rng.random() < 0.7:
                    products.append(ArticleProduct(article=article, product=product_ru))
                ru = f"{aspect[0]}: {topic[0]} в {product_ru} {version}"
                en = f"{aspect[1]} {topic[1]} in {product_en} {version}"
                languages = rng.choices(
                    [("ru", "en"), ("ru",), ("en",)], weights=[90, 7, 3]
                )[0]
                if "ru" in languages:
                    texts.append(
                        ArticleTranslation(
                            article=article,
                            language="ru",
                            title=ru,
                            slug=f"{slugify(en)}-{n}-ru",
                            body=body(rng, ru, STEPS_RU, ("Что сделать", "Проверка")),
                        )
                    )
                if "en" in languages:
                    texts.append(
                        ArticleTranslation(
                            article=article,
                            language="en",
                            title=en,
                            slug=f"{slugify(en)}-{n}",
                            body=body(rng, en, STEPS_EN, ("What to do", "Checking")),
                        )
                    )
            ArticleProduct.objects.bulk_create(products)
            ArticleTranslation.objects.bulk_create(texts)
            ArticleRevision.objects.bulk_create(
                [
                    ArticleRevision(
                        article=t.article,
                        language=t.language,
                        title=t.title,
                        slug=t.slug,
                        body=t.body,
                        author=author,
                    )
                    for t in texts
                ]
            )
        added += len(made)
    ArticleTranslation.objects.filter(search_vector=None).refresh_search_vector()
    if added:
        Article.objects.all().index_titles()
    # As autovacuum leaves a table in production: the search index's
    # pending entries merged, statistics for the planner.
    with connection.cursor() as cursor:
        for model in (
            Article,
            ArticleTranslation,
            ArticleProduct,
            Category,
            SuggestedTitle,
        ):
            cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")
    return added


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=23, help="of the random numbers")
    args = parser.parse_args()
    began = time.monotonic()
    added = seed(args.articles, random.Random(args.seed))
    if added:
        print(
            f"knowledge base: {added:,} articles added in "
            f"{time.monotonic() - began:,.1f} s",
            flush=True,
        )


if __name__ == "__main__":
    main()
