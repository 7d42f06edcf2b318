"""Downloads of stored files: streamed from the local disk, or a signed URL."""

from __future__ import annotations

from django.core.files.storage import FileSystemStorage
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
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


def attachment_response(attachment, *, inline: bool = False) -> HttpResponse:
    """An attachment's file, once the caller has checked access.

    Only the listed image types may be shown in a page (`inline`; the stored
    type comes from the file's bytes: tickets/file_types.py); anything a
    browser could run (HTML, SVG, XML, scripts) is always downloaded, as
    octet-stream. A file removed (retention, erasure) is not found."""
    if attachment.is_removed or not attachment.file:
        raise Http404
    inline = inline and attachment.is_image
    content_type = attachment.content_type if inline else "application/octet-stream"
    response = file_response(
        attachment.file,
        filename=attachment.original_name,
        content_type=content_type,
        as_attachment=not inline,
    )
    if isinstance(response, FileResponse):
        response["Content-Security-Policy"] = (
            "default-src 'none'; img-src 'self'; sandbox"
        )
    return response


def file_response(
    file: FieldFile, *, filename: str, content_type: str, as_attachment: bool = True
) -> HttpResponse:
    """A stored file, once the caller has checked access: the object store's
    signed URL, or streamed from the local disk."""
    url = signed_download_url(
        file, filename=filename, content_type=content_type, as_attachment=as_attachment
    )
    if url:
        return HttpResponseRedirect(url)
    response = FileResponse(
        file.open("rb"),
        as_attachment=as_attachment,
        filename=filename,
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
