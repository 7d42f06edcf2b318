from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_INN_10_WEIGHTS = (2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN_11_WEIGHTS = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN_12_WEIGHTS = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)


def _check_digit(digits: str, weights: tuple[int, ...]) -> int:
    return sum(int(d) * w for d, w in zip(digits, weights, strict=False)) % 11 % 10


def is_valid_tax_id(value: str) -> bool:
    """A Russian taxpayer number (ИНН): 10 digits for a company, 12 for a person."""
    if not value.isdigit():
        return False
    if len(value) == 10:
        return _check_digit(value, _INN_10_WEIGHTS) == int(value[9])
    if len(value) == 12:
        return _check_digit(value, _INN_11_WEIGHTS) == int(value[10]) and _check_digit(
            value, _INN_12_WEIGHTS
        ) == int(value[11])
    return False


def validate_tax_id(value: str) -> None:
    if not is_valid_tax_id(value):
        raise ValidationError(
            _("A tax id (INN) has 10 or 12 digits with valid check digits."),
            code="invalid_tax_id",
        )


def normalise_licence_number(value: str) -> str:
    """The one form licence numbers are stored and compared in: upper case,
    without spaces around."""
    return value.strip().upper()


def is_licence_number(value: str) -> bool:
    """Whether the text is a licence number (`LICENCE_NUMBER_REGEX`), in any case."""
    normal = normalise_licence_number(value)
    return re.fullmatch(settings.LICENCE_NUMBER_REGEX, normal) is not None


def licence_numbers_in(text: str) -> set[str]:
    """The licence numbers written anywhere in a text (an e-mail), normalised."""
    return {
        normalise_licence_number(match.group(0))
        for match in re.finditer(settings.LICENCE_NUMBER_REGEX, text, re.IGNORECASE)
    }


def validate_licence_number(value: str) -> None:
    if not is_licence_number(value):
        raise ValidationError(
            _("This is not a licence number; it looks like %(example)s."),
            code="invalid_licence_number",
            params={"example": settings.LICENCE_NUMBER_EXAMPLE},
        )
