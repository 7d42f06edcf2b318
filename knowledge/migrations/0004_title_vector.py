import django.contrib.postgres.search
from django.db import migrations

# The suggestions' search (`ArticleTranslationQuerySet.suggest`): titles only.
CONFIGS = {"ru": "russian", "en": "english"}


def fill_and_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for language, config in CONFIGS.items():
        schema_editor.execute(
            "UPDATE knowledge_articletranslation "
            "SET title_vector = to_tsvector(%s::regconfig, title) WHERE language = %s",
            [config, language],
        )
    schema_editor.execute(
        "CREATE INDEX article_title_search ON knowledge_articletranslation "
        "USING gin (title_vector)"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS article_title_search")


class Migration(migrations.Migration):
    dependencies = [
        ("knowledge", "0003_article_updated_at_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="articletranslation",
            name="title_vector",
            field=django.contrib.postgres.search.SearchVectorField(
                editable=False, null=True
            ),
        ),
        migrations.RunPython(fill_and_index, drop_index),
    ]
