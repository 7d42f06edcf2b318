"""Static file URLs, each worked out once from whitenoise's manifest."""

from __future__ import annotations

import json

import pytest
from whitenoise.storage import CompressedManifestStaticFilesStorage

from helpdesk.static_storage import StaticFilesStorage


@pytest.fixture
def manifest_dir(tmp_path):
    (tmp_path / "staticfiles.json").write_text(
        json.dumps(
            {
                "version": "1.1",
                "hash": "0123456789ab",
                "paths": {"css/site.css": "css/site.5d41402abc4b.css"},
            }
        )
    )
    return tmp_path


def test_the_url_is_whitenoises_every_time(manifest_dir) -> None:
    ours = StaticFilesStorage(location=manifest_dir, base_url="/static/")
    theirs = CompressedManifestStaticFilesStorage(
        location=manifest_dir, base_url="/static/"
    )

    assert ours.url("css/site.css") == theirs.url("css/site.css")
    assert ours.url("css/site.css") == "/static/css/site.5d41402abc4b.css"


def test_a_file_missing_from_the_manifest_is_never_remembered(manifest_dir) -> None:
    storage = StaticFilesStorage(location=manifest_dir, base_url="/static/")

    for _attempt in range(2):
        with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
            storage.url("css/missing.css")


def test_a_url_is_worked_out_once(manifest_dir) -> None:
    storage = StaticFilesStorage(location=manifest_dir, base_url="/static/")
    first = storage.url("css/site.css")
    # The manifest is not read again for a name already asked for.
    storage.hashed_files = {}

    assert storage.url("css/site.css") == first
