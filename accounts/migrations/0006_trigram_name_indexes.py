"""Trigram indexes for the staff search's substring lookups of names, e-mail
addresses and licence numbers (`tickets.models.TicketQuerySet.search`).

Django's `icontains`/`iexact` on PostgreSQL compare UPPER(column::text), so the
indexes are on that expression. PostgreSQL only; SQLite has no trigrams.
"""

from django.db import migrations

INDEXES = {
    "user_full_name_trgm": ("accounts_user", "full_name"),
    "user_email_trgm": ("accounts_user", "email"),
    "organisation_name_trgm": ("accounts_organisation", "name"),
    "licence_number_trgm": ("accounts_licence", "number"),
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, (table, column) in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} "
            f"USING gin ((UPPER({column}::text)) gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0005_reminder_sent_when_delivered")]

    operations = [migrations.RunPython(create, drop)]
