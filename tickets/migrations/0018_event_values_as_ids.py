"""Assignee and licence events stored what `str()` gave ("Анна Смирнова
<anna@…>", "ALFA-0001 (Product)"); they now store the person's or the
licence's id, and the history shows the current name. Rows written before are
converted where the person or the licence can still be found; the rest keep
their text, which the history shows as it is."""

import re

from django.db import migrations

EMAIL = re.compile(r"<([^<>@\s]+@[^<>\s]+)>\s*$|^([^<>@\s]+@[^<>\s]+)$")


def _person_id(value, users):
    match = EMAIL.search(value.strip())
    if match is None:
        return None
    return users.get((match.group(1) or match.group(2)).lower())


def _licence_id(value, licences):
    return licences.get(value.split(" (", 1)[0].strip().upper())


def forwards(apps, schema_editor):
    TicketEvent = apps.get_model("tickets", "TicketEvent")
    User = apps.get_model("accounts", "User")
    Licence = apps.get_model("accounts", "Licence")
    kinds = {
        "assignee": (
            _person_id,
            lambda: {email.lower(): pk for pk, email in User.objects.values_list("pk", "email")},
        ),
        "licence": (
            _licence_id,
            lambda: dict(Licence.objects.values_list("number", "pk")),
        ),
    }
    for kind, (find, read_ids) in kinds.items():
        events = TicketEvent.objects.filter(kind=kind)
        if not events.exists():
            continue
        ids = read_ids()
        for event in events.only("old_value", "new_value").iterator():
            changed = []
            for field in ("old_value", "new_value"):
                value = getattr(event, field)
                if not value or value.isdigit():
                    continue
                pk = find(value, ids)
                if pk is not None:
                    setattr(event, field, str(pk))
                    changed.append(field)
            if changed:
                event.save(update_fields=changed)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0009_remove_user_timezone"),
        ("tickets", "0017_search_vector_without_names"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
