from __future__ import annotations

import gettext
from pathlib import Path

import polib
import pytest
from django.apps import apps
from django.conf import settings
from django.db import models
from django.utils import translation

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


def test_every_file_field_of_ours_has_a_russian_name() -> None:
    """The admin heads a file's column with its field's name ("FILE" was
    shown among Russian headings)."""
    ours = [
        config
        for config in apps.get_app_configs()
        if Path(config.path).is_relative_to(settings.BASE_DIR)
        and ".venv" not in Path(config.path).parts
    ]
    with translation.override("ru"):
        names = {
            f"{model._meta.label}.{field.name}": str(field.verbose_name)
            for config in ours
            for model in config.get_models()
            for field in model._meta.get_fields()
            if isinstance(field, models.FileField)
        }

    assert "knowledge.ArticleAttachment.file" in names
    assert {label: name for label, name in names.items() if name.isascii()} == {}
