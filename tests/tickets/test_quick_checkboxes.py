"""The colleague checkboxes, written in Python, say what Django's templates say."""

from __future__ import annotations

import pytest
from django import forms

from tickets.forms import QuickCheckboxes

CHOICES = [
    (1, "Анна Смирнова <anna@alfa.example>"),
    ("a&b", "<script>alert(1)</script>"),
    ("Группа", [(3, "один"), (4, "два «2»")]),
]


@pytest.mark.parametrize("value", [[], [1], ["a&b", 4], None, ["missing"]])
@pytest.mark.parametrize(
    "attrs", [{"id": "id_cc"}, {"id": "id_cc", "class": "boxes"}, {}]
)
def test_renders_as_djangos_checkboxes(value, attrs) -> None:
    ours = QuickCheckboxes(choices=CHOICES).render("cc", value, attrs=attrs)
    djangos = forms.CheckboxSelectMultiple(choices=CHOICES).render(
        "cc", value, attrs=attrs
    )

    assert ours == djangos
    assert "<script>" not in ours
    assert ours.count(" checked") == len([v for v in value or [] if v != "missing"])
