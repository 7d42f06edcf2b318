"""Existing tickets get their last public activity (the newest public message
or status change or merge, or the filing) and support's newest reply. Replies
written before the "New reply" marker existed count as seen: the marker starts
with what comes after the release, not with every answered ticket at once."""

from django.db import migrations

# A frozen copy of what the services write (tickets.services: open_ticket,
# add_message, _set_status, merge_ticket), run over batches of ids. The
# message and event queries use their ticket_id indexes.
FILL = """
UPDATE tickets_ticket AS t SET
    last_activity_at = {greatest}(
        t.created_at,
        coalesce((
            SELECT max(m.created_at) FROM tickets_message AS m
            WHERE m.ticket_id = t.id AND m.kind <> 'internal_note'
        ), t.created_at),
        coalesce((
            SELECT max(e.created_at) FROM tickets_ticketevent AS e
            WHERE e.ticket_id = t.id AND e.kind IN ('status', 'merged')
        ), t.created_at)
    ),
    last_staff_reply_at = (
        SELECT max(m.created_at) FROM tickets_message AS m
        WHERE m.ticket_id = t.id AND m.kind = 'reply'
    )
WHERE t.id > %s AND t.id <= %s
"""
SEEN = """
UPDATE tickets_ticket SET customer_seen_at = last_staff_reply_at
WHERE id > %s AND id <= %s AND last_staff_reply_at IS NOT NULL
"""
BATCH = 20_000


def fill(apps, schema_editor):
    connection = schema_editor.connection
    # SQLite's many-argument max() is PostgreSQL's greatest().
    greatest = "greatest" if connection.vendor == "postgresql" else "max"
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(id), 0) FROM tickets_ticket")
        (last,) = cursor.fetchone()
        for start in range(0, last, BATCH):
            cursor.execute(FILL.format(greatest=greatest), [start, start + BATCH])
            cursor.execute(SEEN, [start, start + BATCH])


class Migration(migrations.Migration):
    # Each batch commits on its own: a million tickets in one transaction
    # would hold their row locks for minutes.
    atomic = False

    dependencies = [("tickets", "0022_customer_activity")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
