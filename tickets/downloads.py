"""Downloads of stored files: streamed from the local disk, or a signed URL."""

from __future__ import annotations

from django.core.files.storage import FileSystemStorage
from django.db.models.fields.files import FieldFile
from django.utils.http import content_disposition_header


def signed_download_url(
    file: FieldFile, *, filename: str, content_type: str, as_attachment: bool
) -> str | None:
    """The object store's signed, expiring URL for `file`, answering with these
    headers; None when the files are on the local disk, which the view streams.

    The view checks access first: the URL itself is the permission, for a few
    minutes (STORAGE_URL's `expire`).
    """
    if isinstance(file.storage, FileSystemStorage):
        return None
    return file.storage.url(
        file.name,
        parameters={
            "ResponseContentType": content_type,
            "ResponseContentDisposition": content_disposition_header(
                as_attachment, filename
            ),
        },
    )
