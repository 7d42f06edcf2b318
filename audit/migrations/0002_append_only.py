"""The audit log is append-only in the database itself: a trigger refuses
every UPDATE of an entry, and every DELETE of an entry younger than 365 days
(`audit.models.RETENTION_FLOOR_DAYS`), whatever the application asks. The
floor is written here, not read from a setting or a table the application
could change; the nightly prune (`audit.tasks.prune_audit_log`) deletes only
older entries.

This binds the role the application connects as only while that role cannot
run DDL on the table: its owner (or a superuser) can drop the trigger, or
TRUNCATE the table, which row triggers do not see. SECURITY.md, "Audit log",
says how to run the site as a role that owns nothing.

PostgreSQL only; SQLite (`make run`'s demo) relies on `AuditEntryQuerySet`.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION audit_entry_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND OLD.created_at < now() - interval '365 days' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit entries are append-only (% of entry %)', TG_OP, OLD.id
        USING ERRCODE = 'insufficient_privilege';
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_entry_append_only
    BEFORE UPDATE OR DELETE ON audit_auditentry
    FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS audit_entry_append_only ON audit_auditentry;
DROP FUNCTION IF EXISTS audit_entry_append_only();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
