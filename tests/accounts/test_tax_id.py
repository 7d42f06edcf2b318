from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from accounts.validators import is_valid_tax_id, validate_tax_id


@pytest.mark.parametrize(
    "value",
    [
        "7707083893",  # Sberbank
        "7736207543",  # Yandex
        "500100732259",  # a person's INN
    ],
)
def test_real_tax_ids_are_valid(value: str) -> None:
    assert is_valid_tax_id(value)


@pytest.mark.parametrize(
    "value",
    [
        "7707083894",
        "500100732258",
        "770708389",
        "77070838931",
        "77070838a3",
        "",
        "0000000001",
    ],
)
def test_wrong_check_digits_or_lengths_are_rejected(value: str) -> None:
    with pytest.raises(ValidationError):
        validate_tax_id(value)
