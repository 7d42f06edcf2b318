"""Static files as whitenoise stores them, each file's URL worked out once.

The manifest of hashed names is read when the storage is made and does not
change while the process runs, yet every `{% static %}` looks the name up in
it and joins and quotes the URL again: a staff page has seven of them.
"""

from __future__ import annotations

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._urls: dict[str, str] = {}

    def url(self, name: str, force: bool = False) -> str:
        if force:
            return super().url(name, force)
        url = self._urls.get(name)
        if url is None:
            url = self._urls[name] = super().url(name)
        return url
