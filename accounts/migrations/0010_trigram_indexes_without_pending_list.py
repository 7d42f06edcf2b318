"""The trigram indexes of names take each new row at once, not into a pending
list (`fastupdate = off`).

A GIN index's pending list is merged only by VACUUM; until autovacuum gets to
a table after a licence import or a burst of new contacts, every name lookup
of the staff search reads the whole list: 14–27 ms a word instead of
0.05 ms on the bench's 20,000 contacts (bench/README.md, search). These
tables are small and written seldom, so the slower insert costs nothing worth
measuring. What is already pending is merged now.
"""

from django.db import migrations

INDEXES = (
    "user_full_name_trgm",
    "user_email_trgm",
    "organisation_name_trgm",
    "licence_number_trgm",
)


def set_fastupdate(on: bool):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for name in INDEXES:
            schema_editor.execute(
                f"ALTER INDEX {name} SET (fastupdate = {'on' if on else 'off'})"
            )
            if not on:
                schema_editor.execute(f"SELECT gin_clean_pending_list('{name}'::regclass)")

    return apply


class Migration(migrations.Migration):
    dependencies = [("accounts", "0009_remove_user_timezone")]

    operations = [migrations.RunPython(set_fastupdate(False), set_fastupdate(True))]
