"""The queue's selects, written in Python, say what Django's template says."""

from __future__ import annotations

import re

import pytest
from django import forms

from tickets.forms import QuickSelect

CHOICES = [
    ("", "any"),
    ("a&b", "<script>alert(1)</script>"),
    ("Группа", [("1", "один"), ("2", "два «2»")]),
    (3, "three"),
]


def _template_html(field: forms.Field, name: str, value: object) -> str:
    html = forms.Select(choices=field.choices, attrs=field.widget.attrs).render(
        name, value, attrs={"id": f"id_{name}", "required": True}
    )
    # The template leaves a blank line after each option.
    return re.sub(r"\n\s*\n", "\n", html)


@pytest.mark.parametrize("value", ["", "a&b", "2", 3, None, "missing"])
def test_renders_as_djangos_select(value: object) -> None:
    field = forms.ChoiceField(
        choices=CHOICES, widget=QuickSelect(attrs={"class": "narrow"})
    )

    html = field.widget.render("pick", value, attrs={"id": "id_pick", "required": True})

    assert html == _template_html(field, "pick", value)
    assert "<script>" not in html
    assert html.count(" selected") == (value != "missing")
