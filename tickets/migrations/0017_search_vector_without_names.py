"""Names of the organisation, the contact and the licence leave the search
vector: search reads them from their own tables, so a rename is found at once
and rewrites no ticket. Existing vectors are rebuilt without them, so that a
name an organisation no longer has stops matching."""

from django.db import migrations

# A frozen copy of TicketQuerySet.refresh_search_index at the time of this
# migration, run over batches of ids.
REBUILD = """
UPDATE tickets_ticket AS t SET search_vector =
    setweight(to_tsvector('russian', t.subject), 'A')
    || setweight(to_tsvector('russian', concat_ws(' ', t.reference,
        t.contact_email)), 'B')
    || setweight(to_tsvector('russian', left(coalesce((
        SELECT string_agg(m.body, ' ' ORDER BY m.id)
        FROM tickets_message AS m WHERE m.ticket_id = t.id
    ), ''), 200000)), 'D')
WHERE t.id > %s AND t.id <= %s
"""
BATCH = 20_000


def rebuild(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(id), 0) FROM tickets_ticket")
        (last,) = cursor.fetchone()
        for start in range(0, last, BATCH):
            cursor.execute(REBUILD, [start, start + BATCH])


class Migration(migrations.Migration):
    # Each batch commits on its own: a million tickets in one transaction
    # would hold their row locks for minutes.
    atomic = False

    dependencies = [("tickets", "0016_move_outgoing_email_to_outbox")]

    operations = [migrations.RunPython(rebuild, migrations.RunPython.noop)]
