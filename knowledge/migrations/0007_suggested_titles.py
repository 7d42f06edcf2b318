import django.contrib.postgres.search
import django.db.models.deletion
from django.db import migrations, models

# Suggestions search a narrow copy of the published titles
# (`SuggestedTitle`), no longer the texts' own title vector.
CONFIGS = {"ru": "russian", "en": "english"}


def products_key(products):
    # As `SuggestedTitle.products_key` when this migration was written.
    names = sorted({name.strip().casefold() for name in products} - {""})
    return "".join(f"|{name}" for name in names) + "|" if names else ""


def fill(apps, schema_editor):
    Article = apps.get_model("knowledge", "Article")
    SuggestedTitle = apps.get_model("knowledge", "SuggestedTitle")
    published = Article.objects.filter(state="published").prefetch_related(
        "products", "translations"
    )
    SuggestedTitle.objects.bulk_create(
        [
            SuggestedTitle(
                translation=translation,
                article=article,
                language=translation.language,
                title=translation.title,
                visibility=article.visibility,
                products=products_key(p.product for p in article.products.all()),
            )
            for article in published
            for translation in article.translations.all()
        ],
        batch_size=1000,
    )
    if schema_editor.connection.vendor != "postgresql":
        return
    for language, config in CONFIGS.items():
        schema_editor.execute(
            "UPDATE knowledge_suggestedtitle "
            "SET title_vector = to_tsvector(%s::regconfig, title) WHERE language = %s",
            [config, language],
        )
    schema_editor.execute(
        "CREATE INDEX suggested_title_search ON knowledge_suggestedtitle "
        "USING gin (title_vector)"
    )
    # A parallel scan of every title, which the planner prefers to the index
    # for a prefix query, takes several times as long as the index
    # (bench/README.md, issue 23).
    schema_editor.execute(
        "ALTER TABLE knowledge_suggestedtitle SET (parallel_workers = 0)"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("knowledge", "0006_article_state_change"),
    ]

    operations = [
        migrations.CreateModel(
            name="SuggestedTitle",
            fields=[
                (
                    "translation",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="knowledge.articletranslation",
                    ),
                ),
                (
                    "language",
                    models.CharField(
                        choices=[("ru", "Russian"), ("en", "English")], max_length=8
                    ),
                ),
                ("title", models.CharField(max_length=300)),
                (
                    "visibility",
                    models.CharField(
                        choices=[
                            ("public", "Everyone"),
                            ("customers", "Customers with active support"),
                            ("staff", "Staff only"),
                        ],
                        max_length=16,
                    ),
                ),
                ("products", models.TextField(blank=True)),
                (
                    "title_vector",
                    django.contrib.postgres.search.SearchVectorField(null=True),
                ),
                (
                    "article",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="knowledge.article",
                    ),
                ),
            ],
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        # Its index (article_title_search) goes with it.
        migrations.RemoveField(
            model_name="articletranslation",
            name="title_vector",
        ),
    ]
