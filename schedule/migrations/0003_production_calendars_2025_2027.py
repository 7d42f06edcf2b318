import datetime

from django.db import migrations

from schedule.xmlcalendar import CALENDARS_DIR, read_calendar

# The files shipped in schedule/calendars/ and the decrees they follow.
SHIPPED = [
    ("ru-2025.xml", 2025, "1335", datetime.date(2024, 10, 4)),
    ("ru-2026.xml", 2026, "1466", datetime.date(2025, 9, 24)),
    ("ru-2027.xml", 2027, "1187", datetime.date(2026, 9, 17)),
]


def load_calendars(apps, schema_editor):
    CalendarYear = apps.get_model("schedule", "CalendarYear")
    CalendarDay = apps.get_model("schedule", "CalendarDay")
    for name, year, decree_number, decree_date in SHIPPED:
        if CalendarYear.objects.filter(year=year).exists():
            continue
        parsed = read_calendar(CALENDARS_DIR / name)
        assert parsed.year == year, name
        calendar_year = CalendarYear.objects.create(
            year=year,
            decree_number=decree_number,
            decree_date=decree_date,
            source=name,
        )
        CalendarDay.objects.bulk_create(
            CalendarDay(
                calendar_year=calendar_year,
                date=day.date,
                kind=day.kind.value,
                holiday=day.holiday,
                moved_from=day.moved_from,
            )
            for day in parsed.days
        )


def unload_calendars(apps, schema_editor):
    CalendarYear = apps.get_model("schedule", "CalendarYear")
    CalendarYear.objects.filter(year__in=[year for _, year, _, _ in SHIPPED]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("schedule", "0002_default_weekly_hours"),
    ]

    operations = [
        migrations.RunPython(load_calendars, unload_calendars),
    ]
