import datetime

from django.db import migrations

# Mon–Fri 07:00–19:00, Sat 09:00–16:00, Sunday closed (Moscow time). Written
# out here, not imported, so that later edits of the defaults leave this
# migration as it ran.
DEFAULTS = [
    *[(weekday, datetime.time(7), datetime.time(19)) for weekday in range(5)],
    (5, datetime.time(9), datetime.time(16)),
]


def create_default_hours(apps, schema_editor):
    WeeklyHours = apps.get_model("schedule", "WeeklyHours")
    if WeeklyHours.objects.exists():
        return
    WeeklyHours.objects.bulk_create(
        WeeklyHours(weekday=weekday, opens_at=opens_at, closes_at=closes_at)
        for weekday, opens_at, closes_at in DEFAULTS
    )


def delete_default_hours(apps, schema_editor):
    WeeklyHours = apps.get_model("schedule", "WeeklyHours")
    for weekday, opens_at, closes_at in DEFAULTS:
        WeeklyHours.objects.filter(
            weekday=weekday, opens_at=opens_at, closes_at=closes_at
        ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("schedule", "0001_support_hours"),
    ]

    operations = [
        migrations.RunPython(create_default_hours, delete_default_hours),
    ]
