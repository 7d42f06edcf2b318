"""Filing in Telegram: licence, subject, text, photos and documents, by the portal's rules."""

from __future__ import annotations

import datetime

import pytest
from django.utils.timezone import localdate

from tests.factories import LicenceFactory
from tests.tickets.telegram.conftest import file_ticket, link
from tickets.models import Attachment, TelegramLink, Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def english_chat(telegram, customer, active_licence):
    customer.language = "en"
    customer.save()
    chat = telegram(777002, language="en")
    link(chat, customer)
    return chat


def test_with_one_licence_the_ticket_is_filed_for_it(
    customer_chat, customer, active_licence, mailoutbox
) -> None:
    ticket = file_ticket(customer_chat, subject="Не   стартует\nслужба", body="Текст")

    assert ticket.contact == customer
    assert ticket.licence == active_licence
    assert ticket.subject == "Не стартует служба"
    assert ticket.channel == Ticket.Channel.TELEGRAM
    assert ticket.category == Ticket.Category.OTHER
    assert ticket.messages.get().body == "Текст"
    # The acknowledgement e-mail goes out as for any ticket.
    assert [m.to for m in mailoutbox] == [[customer.email]]
    assert ticket.reference in customer_chat.last()["text"]
    assert TelegramLink.objects.get(user=customer).conversation == {}


def test_with_several_licences_the_contact_chooses_among_the_active_ones(
    customer_chat, organisation, lapsed_licence
) -> None:
    second = LicenceFactory(organisation=organisation, number="ALFA-0003-AAAA-0003")

    customer_chat.press("new")

    choices = [data for data in customer_chat.buttons() if data.startswith("licence:")]
    assert len(choices) == 2
    assert f"licence:{lapsed_licence.pk}" not in choices
    customer_chat.press(f"licence:{second.pk}")
    customer_chat.send("Тема")
    customer_chat.send("Описание")
    customer_chat.press("send")
    assert Ticket.objects.get().licence == second


def test_a_licence_of_another_organisation_cannot_be_chosen(
    customer_chat, organisation, outsider
) -> None:
    LicenceFactory(organisation=organisation, number="ALFA-0003-AAAA-0003")
    foreign = LicenceFactory(
        organisation=outsider.membership.organisation, number="BETA-0001-BBBB-0001"
    )
    customer_chat.press("new")

    customer_chat.press(f"licence:{foreign.pk}")
    customer_chat.send("Тема")
    customer_chat.press("send")

    assert not Ticket.objects.exists()
    assert "new" in customer_chat.buttons()


def test_a_lapsed_subscription_is_explained_with_how_to_renew(
    telegram, customer, lapsed_licence, settings
) -> None:
    customer.language = "en"
    customer.save()
    chat = telegram(language="en")
    link(chat, customer)

    chat.press("new")

    text = chat.last()["text"]
    assert lapsed_licence.number in text
    assert "ended on" in text
    assert settings.SUPPORT_EMAIL in text
    assert TelegramLink.objects.get(user=customer).conversation == {}
    chat.send("Можно всё-таки заявку?")
    assert not Ticket.objects.exists()


def test_photos_and_documents_become_attachments(customer_chat, bot_api) -> None:
    bot_api.files.update({"p1": b"\xff\xd8 one \xff\xd9", "d1": b"ERROR 42\n"})
    customer_chat.press("new")
    customer_chat.send("Ошибка")
    customer_chat.send(photo="p1")
    customer_chat.send("Журнал во вложении", document=("d1", "../../server.log"))
    customer_chat.press("send")

    message = Ticket.objects.get().messages.get()
    assert message.body == "Журнал во вложении"
    files = {a.original_name: a for a in message.attachments.all()}
    assert set(files) == {"photo-up1.jpg", "server.log"}
    with files["server.log"].file.open("rb") as stored:
        assert stored.read() == b"ERROR 42\n"


def test_a_file_the_portal_would_refuse_is_refused_before_fetching(
    english_chat, bot_api, settings
) -> None:
    bot_api.files.update({"exe": b"MZ", "big": b"x"})
    english_chat.press("new")
    english_chat.send("Ошибка")

    english_chat.send(document=("exe", "setup.exe"))
    refused_type = english_chat.replies()[-1]
    english_chat.send(document=("big", "dump.zip"), size=21 * 1024 * 1024)
    refused_size = english_chat.replies()[-1]
    english_chat.send("Описание")
    english_chat.press("send")

    assert "setup.exe" in refused_type
    assert "dump.zip is larger than 20 MB" in refused_size
    assert "getFile" not in bot_api.methods()
    assert not Attachment.objects.exists()
    assert Ticket.objects.get().messages.get().body == "Описание"


def test_no_more_files_than_the_portal_allows(customer_chat, bot_api, settings) -> None:
    settings.TICKET_ATTACHMENT_MAX_FILES = 1
    bot_api.files.update({"a": b"a", "b": b"b"})
    customer_chat.press("new")
    customer_chat.send("Тема")

    customer_chat.send(document=("a", "a.txt"))
    customer_chat.send(document=("b", "b.txt"))
    customer_chat.send("Описание")
    customer_chat.press("send")

    assert [a.original_name for a in Attachment.objects.all()] == ["a.txt"]


def test_a_file_telegram_no_longer_has_is_dropped_from_the_draft(
    customer_chat, bot_api
) -> None:
    bot_api.files["kept"] = b"kept"
    customer_chat.press("new")
    customer_chat.send("Тема")
    customer_chat.send(document=("kept", "kept.txt"))
    customer_chat.send("Описание", document=("gone", "gone.txt"), size=10)

    customer_chat.press("send")
    assert not Ticket.objects.exists()
    assert "gone.txt" in customer_chat.last()["text"]
    assert "send" in customer_chat.buttons()

    customer_chat.press("send")
    message = Ticket.objects.get().messages.get()
    assert [a.original_name for a in message.attachments.all()] == ["kept.txt"]


def test_sending_without_a_description_files_nothing(customer_chat) -> None:
    customer_chat.press("new")
    customer_chat.send("Тема")

    customer_chat.press("send")

    assert not Ticket.objects.exists()
    assert "send" in customer_chat.buttons()


def test_cancel_forgets_the_draft(customer_chat, customer) -> None:
    customer_chat.press("new")
    customer_chat.send("Тема")
    customer_chat.send("Описание")

    customer_chat.press("cancel")
    customer_chat.press("send")

    assert not Ticket.objects.exists()
    assert TelegramLink.objects.get(user=customer).conversation == {}


def test_a_subscription_that_ended_while_writing_is_refused(
    customer_chat, active_licence
) -> None:
    customer_chat.press("new")
    customer_chat.send("Тема")
    customer_chat.send("Описание")
    active_licence.subscription_periods.update(
        ends_on=localdate() - datetime.timedelta(days=1)
    )

    customer_chat.press("send")

    assert not Ticket.objects.exists()
    assert active_licence.number in customer_chat.last()["text"]
