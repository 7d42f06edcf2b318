"""The e-mail outbox moves to the `outbox` app with its rows: the table is
renamed (no copy), its ticket foreign key becomes a plain id (the constraint
is dropped, the column and its index stay). `outbox` 0001 takes the model
over in Django's state."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0015_contact_phones_to_e164"),
    ]

    operations = [
        migrations.AlterField(
            model_name="outgoingemail",
            name="ticket",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="outgoing_emails",
                to="tickets.ticket",
            ),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="OutgoingEmail")],
            database_operations=[
                migrations.AlterModelTable(
                    name="outgoingemail", table="outbox_outgoingemail"
                ),
            ],
        ),
    ]
