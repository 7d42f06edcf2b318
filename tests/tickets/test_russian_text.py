"""Russian that reads as Russian: the cases and plural forms the admin's
sentences need, one term for a ticket, ё, and quotation marks per language."""

from __future__ import annotations

import re
from pathlib import Path

import polib
import pytest
import time_machine
from django.conf import settings

from tests.auth import sign_in
from tests.schedule.support import msk

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "ru",
            [
                "Выберите лицензию для изменения",
                "Добавить лицензию",
                "1 запись",
            ],
        ),
        ("en", ["Select licence to change", "Add licence", "1 record"]),
    ],
)
def test_the_admin_names_a_licence_in_the_right_case(
    client, admin_user, active_licence, language, expected
) -> None:
    sign_in(client, admin_user)

    listed = _text(
        client.get("/admin/accounts/licence/", HTTP_ACCEPT_LANGUAGE=language)
    )

    for phrase in expected:
        assert phrase in listed


def test_add_and_change_pages_too(client, admin_user, active_licence) -> None:
    sign_in(client, admin_user)

    add = _text(client.get("/admin/accounts/licence/add/"))
    change = _text(client.get(f"/admin/accounts/licence/{active_licence.pk}/change/"))

    assert "Добавить лицензию" in add
    assert "Изменить лицензию" in change
    assert "лицензия для изменения" not in add + change


def test_counts_take_a_plural_form_russian_has(client, admin_user) -> None:
    sign_in(client, admin_user)

    text = _text(client.get("/admin/schedule/calendarday/?date__year=2026"))

    count = int(re.search(r"(\d+) (?:запис\w*)", text).group(1))
    word = re.search(rf"{count} (запис\w*)", text).group(1)
    expected = {1: "запись", 2: "записи", 3: "записи", 4: "записи"}.get(
        count % 10 if count % 100 not in range(11, 15) else 0, "записей"
    )
    assert word == expected
    assert not re.search(r"\d+ дни календаря", text)


def test_the_admin_index_names_authenticators(client, admin_user) -> None:
    admin_user.is_superuser = True
    admin_user.save()
    sign_in(client, admin_user)

    text = _text(client.get("/admin/"))

    assert "Аутентификаторы" in text
    assert "Authenticators" not in text


@pytest.mark.parametrize(
    ("language", "closed"),
    [
        ("ru", "ждите после её открытия: понедельник, 12 января, 07:00"),
        ("en", "after it opens: Monday, 12 January, 07:00"),
    ],
)
@pytest.mark.usefixtures("shipped_calendar")
def test_a_weekday_mid_sentence_is_in_lower_case_in_russian(
    client, customer, organisation, language, closed
) -> None:
    import datetime

    from tests.factories import LicenceFactory

    LicenceFactory(organisation=organisation, purchased_on=datetime.date(2025, 12, 1))
    client.force_login(customer)
    with time_machine.travel(msk(2026, 1, 11, 12), tick=False):
        text = _text(client.get("/tickets/new/", HTTP_ACCEPT_LANGUAGE=language))

    assert closed in text


def test_the_catalogue_says_ticket_one_way_and_writes_yo() -> None:
    catalogue = polib.pofile(
        str(Path(settings.BASE_DIR) / "locale" / "ru" / "LC_MESSAGES" / "django.po")
    )
    texts = [
        text
        for entry in catalogue
        for text in [entry.msgstr, *entry.msgstr_plural.values()]
    ]

    assert texts
    assert [t for t in texts if "обращени" in t.lower()] == []
    assert [t for t in texts if "Sign Up" in t] == []
    assert [t for t in texts if re.search(r"учетн", t, re.IGNORECASE)] == []


def test_other_packages_strings_on_our_pages_write_yo_too() -> None:
    from django.utils import translation

    with translation.override("ru"):
        shown = [
            translation.gettext(text)
            for text in (
                "This account is currently inactive.",
                "This email address is already associated with this account.",
            )
        ]

    assert shown == [
        "Учётная запись неактивна.",
        "Этот адрес электронной почты уже связан с этой учётной записью.",
    ]


@pytest.mark.parametrize(("language", "quoted"), [("en", "“Fine”"), ("ru", "«Fine»")])
def test_quotation_marks_follow_the_language(
    client, customer, agent, ticket, language, quoted
) -> None:
    from tickets.services import add_message, close_ticket, rate_ticket

    add_message(ticket, author=agent, body="Готово.")
    close_ticket(ticket, by=customer)
    rate_ticket(ticket, by=customer, score=5, comment="Fine")
    client.force_login(customer)

    text = _text(client.get(ticket.get_absolute_url(), HTTP_ACCEPT_LANGUAGE=language))

    assert quoted in text
