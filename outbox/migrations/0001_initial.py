"""The e-mail outbox, taken over from tickets (see tickets 0016)."""

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    # The table exists already: tickets 0016 renamed tickets_outgoingemail
    # to outbox_outgoingemail with its rows. Here Django's state takes it over.
    dependencies = [
        ("tickets", "0016_move_outgoing_email_to_outbox"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="OutgoingEmail",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(
                                db_index=True, default=django.utils.timezone.now
                            ),
                        ),
                        ("claimed_at", models.DateTimeField(blank=True, null=True)),
                        ("sent_at", models.DateTimeField(blank=True, null=True)),
                        ("attempts", models.PositiveIntegerField(default=0)),
                        ("last_error", models.TextField(blank=True)),
                        ("to", models.JSONField(default=list)),
                        ("subject", models.CharField(max_length=255)),
                        ("body", models.TextField()),
                        ("html_body", models.TextField(blank=True)),
                        ("headers", models.JSONField(default=dict)),
                        ("message_id", models.CharField(db_index=True, max_length=255)),
                        (
                            "ticket_id",
                            models.BigIntegerField(
                                blank=True, db_index=True, null=True
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "outgoing e-mail",
                        "verbose_name_plural": "outgoing e-mails",
                        "ordering": ["pk"],
                        "indexes": [
                            models.Index(
                                condition=models.Q(("sent_at", None)),
                                fields=["created_at"],
                                name="outgoing_unsent",
                            )
                        ],
                    },
                )
            ],
            database_operations=[],
        ),
    ]
