"""Personal data taken out of a ticket's text before it becomes an article
(`knowledge.drafting`): names, e-mail addresses, phone numbers, licence
numbers and the organisation, each replaced by a placeholder in brackets
("[name]", in the active language) that the reviewer sees and can rewrite.

`scrub` is a pure function over the text and what the caller knows of the
ticket (`Known`); it reads no database. It finds:
- every e-mail address;
- phone numbers as libphonenumber finds them (Russian and international
  forms), except what is part of a version, an address or another number;
  and the known phones however their digits are grouped;
- the known licence numbers, and anything shaped like one
  (`LICENCE_NUMBER_REGEX`);
- the known people's names, whole or word by word, in any letter case and,
  for Russian words of four letters or more, in any grammatical case (the
  stem and a noun's or adjective's ending: "Анну", "Смирновой"), also
  spelled in Latin letters ("Anna Smirnova");
- the organisation's name, with or without its legal form and quotes, and
  its tax id.

It cannot find a person or an organisation nobody told it of, a name
spelled differently from the account's (a nickname, a diminutive, a short
name that declines by changing its stem: "Лев", "Льва"), an address, nor
data inside pictures or attachments: the reviewer still reads the draft.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import NamedTuple

import phonenumbers
from django.conf import settings
from django.utils.translation import gettext as _

from knowledge.transliteration import transliterate


@dataclass(frozen=True)
class Known:
    """What the caller knows of the people and the customer a text is about."""

    names: tuple[str, ...] = ()  # people's full names
    organisations: tuple[str, ...] = ()  # their names and tax ids
    licence_numbers: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()  # as phone fields store them (E.164)


def placeholders() -> dict[str, str]:
    """What each kind of data becomes, in the active language."""
    return {
        # Translators: placeholders of personal data in an article drafted
        # from a ticket; keep the brackets.
        "name": _("[name]"),
        "email": _("[e-mail]"),
        "phone": _("[phone]"),
        "licence": _("[licence number]"),
        "organisation": _("[organisation]"),
    }


class _Span(NamedTuple):
    start: int
    end: int
    kind: str


# From the start of a run of its characters only: tried inside a long run
# (a pasted log, base64), it would read the rest of the run at every letter.
_EMAIL = r"(?<![\w.%+'-])(<)?[\w.%+'-]+@[\w-]+(?:\.[\w-]+)+(?(1)>)"

# A phone number's separators, between its digits.
_SEPARATORS = r"[\s().-]*"
# Digits and dots alone are a version or an address ("3.0.1234.5678"),
# unless grouped as Russian phone numbers are ("8.800.555.35.35").
_DOTTED = re.compile(r"\d+(?:\.\d+)+")
_DOTTED_PHONE = re.compile(r"(?:[78]\.)?\d{3}(?:\.\d{2,4}){2,3}")
# What borders a longer number: a digit, or a dot or hyphen and then one.
_NUMBER_BEFORE = re.compile(r"(?:\d|\d[.-])$")
_NUMBER_AFTER = re.compile(r"(?:\d|[.-]\d)")

_LEGAL_FORM = r"(?:ООО|ОАО|ЗАО|ПАО|АО|НКО|ИП|ФГУП|ГУП|МУП|LLC|JSC)"
# Written after the name: "Acme, Inc.".
_LEGAL_FORM_AFTER = r"(?:LLC|Ltd|Inc|GmbH|JSC|PLC)\.?"
_QUOTE = "[«»\"“”„']"

_RUSSIAN_WORD = re.compile(r"[а-яё]+", re.IGNORECASE)
# Letters a Russian name sheds before a case ending: "Анна" → "Анн-у".
_SHED = set("аеёийоуыьэюя")
# The endings of Russian nouns and adjectives in every case, by which a
# name's stem is found declined ("Анне", "Смирновой", "Дмитрием").
_ENDING = (
    "(?:ого|его|ому|ему|ыми|ими|ами|ями|ием|ией|ьей|ьем|ьём"
    "|ой|ей|ою|ею|ом|ем|ём|ым|им|ам|ям|ах|ях|ов|ев|ий|ия|ии|ию|ие|ье|ья|ью|ьи"
    "|ая|яя|ую|юю|ое|ее|ые|их|ых"
    "|[аяоеёиыуюьй])?"
)


def scrub(text: str, *, known: Known = Known()) -> str:
    """The text with its personal data replaced by placeholders, the rest
    (Markdown included) as it was.

    Every finder reads the original text; where two finds overlap, the one
    that starts first wins, then the longer (an e-mail address over the
    name in it). A name written as several words the account holds in
    another order ("Смирнова Анна") becomes one placeholder.
    """
    spans = [
        *_emails(text),
        *_phones(text, known.phones),
        *_licence_numbers(text, known.licence_numbers),
        *_organisations(text, known.organisations),
        *_names(text, known.names),
    ]
    return _replaced(text, spans)


def scrub_person(
    text: str,
    *,
    names: tuple[str, ...] = (),
    emails: tuple[str, ...] = (),
    phones: tuple[str, ...] = (),
) -> str:
    """The text with one person's data replaced by the same placeholders,
    and nothing else: their names (found as `scrub` finds names), their
    e-mail addresses in any letter case, their phones however grouped.
    Erasing a person (`privacy`) keeps everyone else's data and the
    licence numbers in the tickets it rewrites."""
    spans = [
        *_known_emails(text, emails),
        *_known_phones(text, phones),
        *_names(text, names),
    ]
    return _replaced(text, spans)


def _replaced(text: str, spans: list[_Span]) -> str:
    spans.sort(key=lambda span: (span.start, span.start - span.end))
    shown = placeholders()
    pieces: list[str] = []
    at, last_kind = 0, ""
    for span in spans:
        if span.start < at:
            continue
        gap = text[at : span.start]
        if not (span.kind == last_kind == "name" and not gap.strip(" \t")):
            pieces += [gap, shown[span.kind]]
        at, last_kind = span.end, span.kind
    pieces.append(text[at:])
    return "".join(pieces)


def _found(pattern: str, text: str, kind: str) -> Iterator[_Span]:
    for match in re.finditer(pattern, text, re.IGNORECASE):
        if match.end() > match.start():
            yield _Span(match.start(), match.end(), kind)


def _emails(text: str) -> Iterator[_Span]:
    return _found(_EMAIL, text, "email")


def _known_emails(text: str, known: tuple[str, ...]) -> Iterator[_Span]:
    for email in known:
        if email:
            yield from _found(
                rf"(?<![\w.%+'-]){re.escape(email)}(?![\w-])", text, "email"
            )


def _phones(text: str, known: tuple[str, ...]) -> Iterator[_Span]:
    region = settings.PHONENUMBER_DEFAULT_REGION
    for match in phonenumbers.PhoneNumberMatcher(text, region):
        raw = match.raw_string
        if _DOTTED.fullmatch(raw) and not _DOTTED_PHONE.fullmatch(raw):
            continue
        before = text[max(match.start - 2, 0) : match.start]
        if _NUMBER_BEFORE.search(before) or _NUMBER_AFTER.match(text, match.end):
            continue
        yield _Span(match.start, match.end, "phone")
    yield from _known_phones(text, known)


def _known_phones(text: str, known: tuple[str, ...]) -> Iterator[_Span]:
    region = settings.PHONENUMBER_DEFAULT_REGION
    # Known numbers however their digits are grouped, which the matcher
    # may not read as a number ("916 1234567").
    for phone in known:
        try:
            number = phonenumbers.parse(phone, region)
        except phonenumbers.NumberParseException:
            continue
        digits = _SEPARATORS.join(str(number.national_number))
        prefix = rf"(?:(?:\+\s*{number.country_code}|8|0){_SEPARATORS})?"
        yield from _found(rf"(?<!\d){prefix}{digits}(?!\d)", text, "phone")


def _licence_numbers(text: str, known: tuple[str, ...]) -> Iterator[_Span]:
    shape = rf"(?<![\w-])(?:{settings.LICENCE_NUMBER_REGEX})(?![\w-])"
    yield from _found(shape, text, "licence")
    for number in known:
        # Typed with spaces for hyphens, or none, in any letter case.
        parts = [re.escape(part) for part in re.split(r"[\s-]+", number) if part]
        if parts:
            loose = r"[\s-]?".join(parts)
            yield from _found(rf"(?<![\w-]){loose}(?![\w-])", text, "licence")


def _organisations(text: str, known: tuple[str, ...]) -> Iterator[_Span]:
    for name in known:
        name = name.strip()
        if name.isdigit():  # a tax id
            yield from _found(rf"(?<!\d){re.escape(name)}(?!\d)", text, "organisation")
            continue
        # "ООО «Альфа»" is also written "Альфа", "ООО Альфа", "«Альфы»".
        core = re.sub(
            rf"^{_LEGAL_FORM}\s+|,?\s+{_LEGAL_FORM_AFTER}$",
            "",
            name,
            flags=re.IGNORECASE,
        ).strip("«»\"“”„' ")
        words = _words(core) or _words(name)
        if words:
            pattern = (
                rf"(?:{_LEGAL_FORM}\s*)?{_QUOTE}?{_phrase(words)}{_QUOTE}?"
                rf"(?:,?\s+{_LEGAL_FORM_AFTER}(?!\w))?"
            )
            yield from _found(pattern, text, "organisation")


def _names(text: str, known: tuple[str, ...]) -> Iterator[_Span]:
    patterns: set[str] = set()
    for name in known:
        # An account without a name may hold its address there.
        name = re.sub(_EMAIL, " ", name)
        for spelling in {name, transliterate(name)}:
            words = [w for w in _words(spelling) if w.isalpha() and len(w) > 1]
            if words:
                patterns.add(_phrase(words))
                patterns.update(_phrase([word]) for word in words)
    for pattern in patterns:
        yield from _found(pattern, text, "name")


def _words(text: str) -> list[str]:
    """The words and numbers of a name ("Организация 7": both)."""
    return re.findall(r"[^\W_]+", text)


def _phrase(words: list[str]) -> str:
    """The words one after another, each in any of its forms, as whole words."""
    return r"(?<!\w)" + r"[\s-]+".join(_word(word) for word in words) + r"(?!\w)"


def _word(word: str) -> str:
    if len(word) >= 4 and _RUSSIAN_WORD.fullmatch(word):
        stem = word
        while len(stem) > 3 and len(word) - len(stem) < 2 and stem[-1].lower() in _SHED:
            stem = stem[:-1]
        return re.escape(stem) + _ENDING
    return re.escape(word)
