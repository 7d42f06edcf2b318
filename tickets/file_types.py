"""The type an uploaded file is stored with, decided by its bytes.

The name and the type the uploader (a browser, a mail client, Telegram) claims
are both chosen by the sender: HTML named `screen.png` would otherwise be
stored, and served inline, as `image/png`. So the stored type is what the
first bytes say (`filetype` reads magic numbers), and an image type only when
the name agrees as well: what the thumbnails and the download view show
inline is then both named and made as that image.

A GIF89a header followed by HTML (a polyglot) sniffs as GIF; named `.gif`, it
is stored as `image/gif`. That is accepted deliberately: the download view
serves it with that image type, `X-Content-Type-Options: nosniff` and a
sandboxing Content-Security-Policy, so a browser shows it as a picture or not
at all, and never runs it as a page.
"""

from __future__ import annotations

import os

import filetype

# filetype reads no further than this into a file.
HEAD_BYTES = 8192

OCTET_STREAM = "application/octet-stream"

# Text the library has no signature for, by extension; none is an inline type.
_TEXT_TYPES = {
    **dict.fromkeys(
        [".txt", ".log", ".csv", ".ini", ".conf", ".cfg", ".yaml", ".yml"],
        "text/plain",
    ),
    # Forwarded e-mails, which tickets/email/incoming.py names `.eml`.
    ".eml": "message/rfc822",
}

# filetype knows one extension per image type; the others a name may have.
_IMAGE_EXTENSIONS = {"image/jpeg": frozenset({".jpg", ".jpeg"})}


def stored_content_type(name: str, head: bytes) -> str:
    """The content type to store for a file named `name` that starts with `head`.

    1. The bytes decide: a type the library recognises is that type.
    2. An image type stands only when the name's extension is one of that
       image's; otherwise the file is `application/octet-stream`.
    3. Bytes the library does not recognise are `text/plain` for text files
       by extension (.txt, .log, .csv, ...), `message/rfc822` for `.eml`,
       `application/octet-stream` else.
    """
    extension = os.path.splitext(name)[1].lower()
    kind = filetype.guess(head[:HEAD_BYTES])
    if kind is None:
        return _TEXT_TYPES.get(extension, OCTET_STREAM)
    if kind.mime.startswith("image/"):
        names = _IMAGE_EXTENSIONS.get(kind.mime, frozenset({f".{kind.extension}"}))
        return kind.mime if extension in names else OCTET_STREAM
    return kind.mime
