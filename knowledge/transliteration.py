"""Russian letters in Latin ones: the slugs of articles written from a ticket,
and the Latin spelling of a Russian name (an e-mail signature's).

The table is the admin's own (Django's `urlify.js`, which fills the slug
field as a title is typed), so that a slug made here reads like one an
author got there: "Настройка" becomes "nastrojka" in both.
"""

from __future__ import annotations

_LOWER = {
    **dict(zip("абвгдезийклмнопрстуфхцы", "abvgdezijklmnoprstufhcy", strict=True)),
    **{"ё": "yo", "ж": "zh", "ч": "ch", "ш": "sh", "щ": "sh"},
    **{"ъ": "", "ь": "", "э": "e", "ю": "yu", "я": "ya"},
}
_TABLE = str.maketrans(
    {**_LOWER, **{ru.upper(): en.capitalize() for ru, en in _LOWER.items()}}
)


def transliterate(text: str) -> str:
    """The text with its Russian letters written in Latin ones; the rest kept."""
    return text.translate(_TABLE)
