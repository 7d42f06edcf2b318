from django.db import migrations

from tickets.file_types import HEAD_BYTES, stored_content_type


def types_from_bytes(apps, schema_editor):
    """Files stored with an image type (from their names) get their type from
    their bytes: only these can be shown inline; other types are always
    downloaded. A file missing from storage keeps its row as it is."""
    Attachment = apps.get_model("tickets", "Attachment")
    images = Attachment.objects.filter(content_type__startswith="image/")
    for attachment in images.only(
        "pk", "file", "original_name", "content_type"
    ).iterator():
        try:
            with attachment.file.open("rb") as file:
                head = file.read(HEAD_BYTES)
        except OSError:
            continue
        content_type = stored_content_type(attachment.original_name, head)
        if content_type != attachment.content_type:
            Attachment.objects.filter(pk=attachment.pk).update(
                content_type=content_type
            )


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0012_org_newest_index"),
    ]

    # Back: nothing to undo; the name-based types were the fault.
    operations = [
        migrations.RunPython(types_from_bytes, migrations.RunPython.noop),
    ]
