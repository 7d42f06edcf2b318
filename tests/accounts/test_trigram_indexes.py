"""The trigram indexes of names take new rows at once (`fastupdate = off`):
a pending list, merged only by VACUUM, made each name lookup of the staff
search read it whole until autovacuum came (bench/README.md, search)."""

from __future__ import annotations

import pytest
from django.db import connection

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

INDEXES = (
    "user_full_name_trgm",
    "user_email_trgm",
    "organisation_name_trgm",
    "licence_number_trgm",
)


def test_no_trigram_index_keeps_a_pending_list() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reloptions FROM pg_class WHERE relname = ANY(%s)",
            [list(INDEXES)],
        )
        options = dict(cursor.fetchall())

    assert options == {name: ["fastupdate=off"] for name in INDEXES}
