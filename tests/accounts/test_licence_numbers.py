from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from accounts.validators import (
    is_licence_number,
    licence_numbers_in,
    normalise_licence_number,
    validate_licence_number,
)


def test_a_licence_number_has_one_form() -> None:
    assert normalise_licence_number("  ab12-cd34-ef56-gh78\n") == "AB12-CD34-EF56-GH78"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("AB12-CD34-EF56-GH78", True),
        (" ab12-cd34-ef56-gh78 ", True),
        ("AB12-CD34-EF56", False),
        ("AB12 CD34 EF56 GH78", False),
        ("", False),
    ],
)
def test_what_a_licence_number_looks_like(text, expected) -> None:
    assert is_licence_number(text) is expected


def test_the_validator_asks_the_same_rule() -> None:
    validate_licence_number(" ab12-cd34-ef56-gh78 ")
    with pytest.raises(ValidationError) as raised:
        validate_licence_number("AB12")

    assert raised.value.code == "invalid_licence_number"


def test_numbers_written_in_a_text_are_found_in_their_one_form() -> None:
    text = "Лицензия ab12-cd34-ef56-gh78, и ещё (ZZ99-YY88-XX77-WW66)."

    assert licence_numbers_in(text) == {"AB12-CD34-EF56-GH78", "ZZ99-YY88-XX77-WW66"}
    assert licence_numbers_in("no number here") == set()
