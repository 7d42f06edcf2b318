from django.db import migrations


def contact_phones_to_e164(apps, schema_editor):
    """Tickets' contact phones as their phone number field stores them now.

    The text field held phones as typed (tickets filed before phones were
    normalised, and the admin's edits) or in E.164. The field stores a valid
    number in E.164 and anything else as it was typed. Each row is put
    through the field's own rule: a valid number becomes E.164; anything
    else (a short number, "ext. 12", a note) stays as it was, since the
    field keeps such text and nothing else holds what the customer wrote.
    The ticket page shows it as typed and search finds it by its digits.
    """
    Ticket = apps.get_model("tickets", "Ticket")
    field = Ticket._meta.get_field("contact_phone")
    phones = Ticket.objects.exclude(contact_phone="").values_list(
        "pk", "contact_phone"
    )
    # Read through the field: a PhoneNumber parsed from the stored text.
    for pk, phone in phones.iterator(chunk_size=2000):
        stored = field.get_prep_value(phone)
        if stored != phone.raw_input:
            Ticket.objects.filter(pk=pk).update(contact_phone=stored)


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0014_contact_phone_as_phone_number"),
    ]

    # Back: nothing to undo; the text field held valid numbers in E.164 too.
    operations = [
        migrations.RunPython(contact_phones_to_e164, migrations.RunPython.noop),
    ]
