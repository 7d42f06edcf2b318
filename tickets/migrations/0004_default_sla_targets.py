from decimal import Decimal

from django.db import migrations

# Support hours per priority: (first response, resolution). Two days of
# support are 24 hours of open support time, not 48 wall-clock hours.
DEFAULTS = {
    "critical": (Decimal("1"), Decimal("8")),
    "high": (Decimal("4"), Decimal("24")),
    "normal": (Decimal("8"), Decimal("60")),
    "low": (Decimal("16"), Decimal("120")),
}


def add_defaults(apps, schema_editor):
    SlaTarget = apps.get_model("tickets", "SlaTarget")
    for priority, (first_response, resolution) in DEFAULTS.items():
        SlaTarget.objects.get_or_create(
            priority=priority,
            defaults={
                "first_response_hours": first_response,
                "resolution_hours": resolution,
            },
        )


def remove_defaults(apps, schema_editor):
    SlaTarget = apps.get_model("tickets", "SlaTarget")
    SlaTarget.objects.filter(priority__in=DEFAULTS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0003_sla_and_canned_responses"),
    ]

    operations = [
        migrations.RunPython(add_defaults, remove_defaults),
    ]
