from __future__ import annotations

import gettext
from pathlib import Path

import polib
import pytest
from django.conf import settings

from helpdesk.compile_messages import compile_catalogue

CATALOGUES = sorted(Path(settings.BASE_DIR, "locale").glob("*/LC_MESSAGES/django.po"))


def test_the_russian_catalogue_exists() -> None:
    assert Path(settings.BASE_DIR, "locale/ru/LC_MESSAGES/django.po") in CATALOGUES


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: p.parts[-3])
def test_every_message_is_translated(path: Path) -> None:
    catalogue = polib.pofile(str(path))
    missing = [
        entry.msgid
        for entry in catalogue
        if not entry.obsolete and (not entry.translated() or entry.fuzzy)
    ]

    assert missing == []


def test_compiled_catalogue_is_read_by_gettext(tmp_path: Path) -> None:
    po = polib.POFile()
    po.metadata = {"Content-Type": "text/plain; charset=UTF-8"}
    po.append(polib.POEntry(msgid="Technical support", msgstr="Техническая поддержка"))
    po.save(str(tmp_path / "django.po"))

    mo_path = compile_catalogue(tmp_path / "django.po")

    with mo_path.open("rb") as mo:
        assert (
            gettext.GNUTranslations(mo).gettext("Technical support")
            == "Техническая поддержка"
        )
