"""The admin in Russian names every field of ours in Russian: a field with no
name of its own shows its English attribute name among Russian headings."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib import admin
from django.urls import reverse

from tests.auth import sign_in
from tests.security.conftest import world  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

# A form's labels and a list's column headings (the admin wraps a sortable
# heading's name in a link, any other's in a span).
NAMES = re.compile(
    r"<label[^>]*>([^<]+)</label>"
    r'|<th scope="col"[^>]*>\s*<div class="text">\s*<(?:a|span)[^>]*>([^<]+)<'
)


def _ours(model) -> bool:
    """A model of ours, or one whose admin is ours (allauth's authenticators)."""
    path = Path(model._meta.app_config.path)
    ours = path.is_relative_to(settings.BASE_DIR) and ".venv" not in path.parts
    return ours or type(admin.site._registry[model]).__module__ == "accounts.admin"


def _english_names(html: str) -> set[str]:
    found = {(m.group(1) or m.group(2)).strip() for m in NAMES.finditer(html)}
    return {
        name
        for name in found
        if re.search(r"[a-z]{3}", name) and not re.search(r"[А-Яа-яЁё]", name)
    }


def test_every_list_and_form_of_ours_is_headed_in_russian(
    client,
    world,  # noqa: F811 (the fixture imported above)
) -> None:
    sign_in(client, world["users"]["admin"])
    client.cookies["django_language"] = "ru"
    english: dict[str, set[str]] = {}
    pages = 0
    for model in filter(_ours, admin.site._registry):
        name = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        paths = [reverse(f"{name}_changelist")]
        instance = model._default_manager.order_by("pk").first()
        if instance is not None:
            paths.append(reverse(f"{name}_change", args=[instance.pk]))
        for path in paths:
            response = client.get(path)
            if response.status_code != 200:
                continue
            pages += 1
            if found := _english_names(response.content.decode()):
                english[path] = found

    assert pages > 40
    assert english == {}, repr(english)
