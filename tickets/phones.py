"""Phone numbers as people type them, kept in one form (E.164)."""

from __future__ import annotations

import phonenumbers
from django.conf import settings


def normalise_phone(raw: str) -> str:
    """+79123456789 for anything a Russian phone number is typed as; else as typed."""
    raw = raw.strip()
    try:
        number = phonenumbers.parse(raw, settings.PHONENUMBER_DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return raw
    if not phonenumbers.is_possible_number(number):
        return raw
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
