"""A draft article from a support reply: personal data replaced
(`knowledge.personal_data.scrub`), the draft written and linked to its ticket
(`knowledge.drafting`), its preview and creation pages, and the link to them
on the staff ticket page."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from knowledge import drafting
from knowledge.models import (
    Article,
    ArticleRevision,
    ArticleTranslation,
    Category,
    TicketArticle,
)
from knowledge.personal_data import Known, placeholders, scrub
from knowledge.services import KnowledgeError
from tests.auth import sign_in
from tests.factories import LicenceFactory, MembershipFactory
from tickets.models import Message, Ticket
from tickets.services import add_message, open_ticket

KNOWN = Known(
    names=("Анна Сергеевна Смирнова", "Иван Петров", "John Smith", "Дмитрий Толстой"),
    organisations=("ООО «Альфа»", "7700000017"),
    licence_numbers=("ALFA-0001-AAAA-0001",),
    phones=("+79161234567",),
)


def _scrub(text: str, known: Known = KNOWN) -> str:
    # Placeholders in English, whatever the translations say.
    with translation.override("en"):
        return scrub(text, known=known)


# scrub(): e-mail addresses


def test_every_e_mail_address_is_replaced() -> None:
    text = "Пишите anna.smirnova@alfa.example, <it+desk@beta.example> или x@y.ru."

    assert _scrub(text, Known()) == "Пишите [e-mail], [e-mail] или [e-mail]."


# scrub(): phone numbers


@pytest.mark.parametrize(
    "phone",
    [
        "+7 (495) 123-45-67",
        "8 800 555 35 35",
        "+44 20 7946 0958",
        "84951234567",
        "8-916-123-45-67",
        "8.800.555.35.35",
    ],
)
def test_phone_numbers_in_russian_and_international_forms(phone: str) -> None:
    assert _scrub(f"Звоните {phone} днём", Known()) == "Звоните [phone] днём"


def test_a_known_phone_is_found_however_its_digits_are_grouped() -> None:
    assert _scrub("мобильный 916 1234567") == "мобильный [phone]"


@pytest.mark.parametrize(
    "text",
    [
        "version 5.2.1",
        "2026-12-06",
        "192.168.1.10",
        "обновитесь до 3.0.1234.5678",
        "сборка v2.0.4951234567",
        "порт 8080, ошибка 0x80070005",
        "12.06.2026 в 14:30",
        "id 550e8400-e29b-41d4-a716-446655440000",
    ],
)
def test_versions_dates_and_addresses_survive(text: str) -> None:
    assert _scrub(text) == text


# scrub(): licence numbers


def test_the_known_licence_number_in_any_case_and_spacing() -> None:
    text = "ALFA-0001-AAAA-0001, alfa-0001-aaaa-0001 и ALFA 0001 AAAA 0001"

    assert _scrub(text) == ", ".join(["[licence number]"] * 2) + " и [licence number]"


def test_anything_shaped_like_a_licence_number() -> None:
    assert _scrub("старая лицензия BETA-0002-CCCC-0003.", Known()) == (
        "старая лицензия [licence number]."
    )


# scrub(): names


@pytest.mark.parametrize(
    "text",
    ["Анна", "Анне", "Анну", "Анной", "Анны", "Смирновой", "Смирнову", "анна"],
)
def test_russian_names_in_every_case(text: str) -> None:
    assert _scrub(f"Передайте {text}, пожалуйста") == "Передайте [name], пожалуйста"


def test_a_full_name_in_any_order_is_one_placeholder() -> None:
    text = "Анна Сергеевна Смирнова, Смирнова Анна и Анна Сергеевна"

    assert _scrub(text) == "[name], [name] и [name]"


def test_declined_masculine_names() -> None:
    text = "Дмитрию Толстому, у Дмитрия Толстого, с Иваном Петровым"

    assert _scrub(text) == "[name], у [name], с [name]"


def test_english_names_and_the_latin_spelling_of_russian_ones() -> None:
    text = "Regards, John Smith. Smith's laptop. Anna Smirnova wrote."

    assert _scrub(text) == "Regards, [name]. [name]'s laptop. [name] wrote."


def test_words_that_only_begin_like_a_name_survive() -> None:
    text = "Анналы, версия, Иванушкин и Петроград"
    known = Known(names=("Анна Смирнова", "Вера Иванова", "Пётр Петров"))

    assert _scrub(text, known) == text


# scrub(): the organisation


def test_the_organisation_with_or_without_its_form_and_quotes() -> None:
    text = "ООО «Альфа», ООО Альфа, у «Альфы», ИНН 7700000017"

    assert _scrub(text) == (
        "[organisation], [organisation], у [organisation], ИНН [organisation]"
    )


def test_the_markdown_around_is_kept() -> None:
    text = (
        "## Шаги\n\n1. Откройте **Настройки** → `config.yaml`\n"
        "2. [Инструкция](https://example.com/doc)\n\n> Анна: проверила\n"
    )

    assert _scrub(text) == text.replace("Анна", "[name]")


def test_placeholders_are_in_the_active_language() -> None:
    with translation.override("ru"):
        expected = placeholders()["email"]
        assert scrub("a@b.ru") == expected


# Drafting


@pytest.fixture
def people(db, customer, colleague, agent) -> dict[str, User]:
    """Real names, so that none of them is also a word of the text."""
    User.objects.filter(pk=customer.pk).update(phone="+79161234567")
    User.objects.filter(pk=colleague.pk).update(full_name="Борис Кузнецов")
    User.objects.filter(pk=agent.pk).update(full_name="Иван Петров")
    for person in (customer, colleague, agent):
        person.refresh_from_db()
    return {"customer": customer, "colleague": colleague, "agent": agent}


@pytest.fixture
def ticket(people, active_licence) -> Ticket:
    ticket = open_ticket(
        contact=people["customer"],
        licence=active_licence,
        subject="Анна Смирнова: не запускается служба на ALFA-0001-AAAA-0001",
        description=(
            "Здравствуйте! Я Анна Смирнова из ООО «Альфа». После обновления "
            "до 5.2.1 служба не стартует.\n\nТелефон +7 916 123-45-67, почта "
            "customer@alfa.example. Копия коллеге, Борису Кузнецову."
        ),
        category=Ticket.Category.MALFUNCTION,
        cc=[people["colleague"]],
    )
    Ticket.objects.filter(pk=ticket.pk).update(assignee=people["agent"])
    ticket.refresh_from_db()
    return ticket


@pytest.fixture
def reply(ticket, people) -> Message:
    return add_message(
        ticket,
        author=people["agent"],
        body=(
            "Анна, добрый день! Остановите службу и удалите `cache/`.\n\n"
            "1. Запустите `helpdesk-server repair`.\n"
            "2. Проверьте лицензию ALFA-0001-AAAA-0001.\n\n"
            "Если не поможет, звоните мне: 8 800 555 35 35.\n\n"
            "С уважением, Иван Петров"
        ),
    )


@pytest.fixture
def note(ticket, people) -> Message:
    return add_message(
        ticket, author=people["agent"], body="Похоже на баг.", internal=True
    )


def _personal_data(ticket: Ticket, people: dict[str, User]) -> list[str]:
    """What must not be left of the ticket's people and customer."""
    return [
        "Анн",
        "Смирнов",
        "Борис",
        "Кузнецов",
        "Иван",
        "Петров",
        "customer@alfa.example",
        "916",
        "555 35 35",
        ticket.licence.number,
        "Альф",
        ticket.organisation.tax_id,
    ]


def _ru(kind: str) -> str:
    with translation.override("ru"):
        return placeholders()[kind]


def test_a_reply_becomes_a_draft_linked_to_its_ticket(
    reply, ticket, people, category
) -> None:
    article = drafting.draft_from_reply(reply, by=people["agent"])

    article.refresh_from_db()
    assert article.state == Article.State.DRAFT
    assert article.visibility == Article.Visibility.CUSTOMERS
    assert article.author == people["agent"]
    assert list(article.products.values_list("product", "edition")) == [
        ("Helpdesk Server", "")
    ]
    link = TicketArticle.objects.get(article=article)
    assert (link.ticket, link.kind, link.language, link.added_by) == (
        ticket,
        TicketArticle.Kind.SOURCE,
        "ru",
        people["agent"],
    )
    text = ArticleTranslation.objects.get(article=article)
    revision = ArticleRevision.objects.get(article=article)
    assert text.language == revision.language == "ru"
    assert (revision.title, revision.slug, revision.body, revision.author) == (
        text.title,
        text.slug,
        text.body,
        people["agent"],
    )
    assert ticket.reference in revision.note


def test_the_draft_is_the_question_and_the_answer(reply, people, category) -> None:
    article = drafting.draft_from_reply(reply, by=people["agent"])

    text = ArticleTranslation.objects.get(article=article)
    with translation.override("ru"):
        question = "## " + translation.gettext("Question")
        answer = "## " + translation.gettext("Answer")
    assert text.body.index(question) < text.body.index("служба не стартует")
    assert text.body.index(answer) < text.body.index("`helpdesk-server repair`")
    assert text.body.index("служба не стартует") < text.body.index(answer)
    assert text.title == (f"{_ru('name')}: не запускается служба на {_ru('licence')}")
    assert text.slug == "ne-zapuskaetsya-sluzhba-na"


def test_no_personal_data_of_the_ticket_is_left(
    reply, ticket, people, category
) -> None:
    article = drafting.draft_from_reply(reply, by=people["agent"])

    text = ArticleTranslation.objects.get(article=article)
    revision = ArticleRevision.objects.get(article=article)
    texts = [text.title, text.slug, text.body]
    revisions = [revision.title, revision.slug, revision.body, revision.note]
    saved = " ".join([*texts, *revisions])
    for data in _personal_data(ticket, people):
        assert data.casefold() not in saved.casefold(), data
    for kind in ("name", "email", "phone", "licence", "organisation"):
        assert _ru(kind) in text.body, kind
    # What is no one's stays.
    assert "5.2.1" in text.body
    assert "`cache/`" in text.body


def test_the_quoted_history_of_an_e_mail_is_left_out(ticket, people, category) -> None:
    reply = add_message(
        ticket,
        author=people["agent"],
        body="Обновите драйвер.\n\nOn Mon, 1 Dec 2026, someone wrote:\n> старое письмо",
        channel=Ticket.Channel.EMAIL,
    )

    article = drafting.draft_from_reply(reply, by=people["agent"])

    body = ArticleTranslation.objects.get(article=article).body
    assert "Обновите драйвер." in body
    assert "старое письмо" not in body


def test_the_category_of_the_licences_product_is_chosen(
    reply, people, category
) -> None:
    Category.objects.create(
        name_ru="Другой", slug="other-product", product="Helpdesk Workstation"
    )
    server = Category.objects.create(
        name_ru="Сервер", slug="server-product", product="helpdesk server"
    )

    article = drafting.draft_from_reply(reply, by=people["agent"])

    assert article.category == server


def test_without_a_category_of_the_product_the_first_at_the_top(
    reply, people, category
) -> None:
    article = drafting.draft_from_reply(reply, by=people["agent"])

    assert article.category == category.parent


def test_without_any_category_nothing_is_written(reply, people) -> None:
    with pytest.raises(KnowledgeError):
        drafting.draft_from_reply(reply, by=people["agent"])

    assert not Article.objects.exists()


def test_the_draft_is_in_the_contacts_language(reply, people, category) -> None:
    User.objects.filter(pk=people["customer"].pk).update(language="en")

    article = drafting.draft_from_reply(reply, by=people["agent"])

    text = ArticleTranslation.objects.get(article=article)
    assert text.language == "en"
    assert text.body.startswith("## Question\n")
    assert "[name]" in text.body
    assert TicketArticle.objects.get(article=article).language == "en"


def test_a_second_draft_gets_a_slug_of_its_own(reply, people, category) -> None:
    first = drafting.draft_from_reply(reply, by=people["agent"])
    second = drafting.draft_from_reply(reply, by=people["agent"])

    slugs = [
        ArticleTranslation.objects.get(article=article).slug
        for article in (first, second)
    ]
    assert slugs == ["ne-zapuskaetsya-sluzhba-na", "ne-zapuskaetsya-sluzhba-na-2"]


def test_a_note_or_a_customers_message_is_no_draft(
    ticket, note, people, category
) -> None:
    question = ticket.messages.get(kind=Message.Kind.CUSTOMER)

    for message in (note, question):
        with pytest.raises(KnowledgeError):
            drafting.draft_from_reply(message, by=people["agent"])
    assert not Article.objects.exists()


def test_only_staff_who_write_articles_draft(reply, people, category) -> None:
    Group.objects.get(name="agent").user_set.remove(people["agent"])

    for someone in (people["customer"], User.objects.get(pk=people["agent"].pk)):
        with pytest.raises(KnowledgeError):
            drafting.draft_from_reply(reply, by=someone)
    assert not Article.objects.exists()


# The pages


def _preview(reply: Message) -> str:
    return reverse("knowledge:draft_from_reply", args=[reply.code])


def _create(reply: Message) -> str:
    return reverse("knowledge:create_draft_from_reply", args=[reply.code])


def test_the_preview_shows_the_draft_without_personal_data(
    client, reply, people, category
) -> None:
    sign_in(client, people["agent"])

    response = client.get(_preview(reply))

    assert response.status_code == 200
    html = response.content.decode()
    assert "не запускается служба на" in html
    assert "`helpdesk-server repair`" in html
    assert "Смирнов" not in html
    assert "customer@alfa.example" not in html
    assert f'action="{_create(reply)}"' in html
    assert "csrfmiddlewaretoken" in html
    assert not Article.objects.exists()


def test_the_preview_says_when_there_is_no_category(client, reply, people) -> None:
    sign_in(client, people["agent"])

    html = client.get(_preview(reply)).content.decode()

    assert 'role="alert"' in html
    assert _create(reply) not in html


def test_creating_the_draft_leads_to_the_admin(client, reply, people, category) -> None:
    sign_in(client, people["agent"])

    response = client.post(_create(reply))

    article = Article.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("admin:knowledge_article_change", args=[article.pk])
    assert TicketArticle.objects.filter(
        article=article, kind=TicketArticle.Kind.SOURCE
    ).exists()


def test_the_pages_answer_their_own_method_only(
    client, reply, people, category
) -> None:
    sign_in(client, people["agent"])

    assert client.post(_preview(reply)).status_code == 405
    assert client.get(_create(reply)).status_code == 405


def test_customers_are_refused(client, reply, people, outsider, category) -> None:
    for someone in (people["customer"], outsider):
        sign_in(client, someone)
        assert client.get(_preview(reply)).status_code == 403
        assert client.post(_create(reply)).status_code == 403
    assert not Article.objects.exists()


def test_a_note_or_a_customers_message_is_not_found(
    client, ticket, note, people, category
) -> None:
    sign_in(client, people["agent"])
    question = ticket.messages.get(kind=Message.Kind.CUSTOMER)

    for message in (note, question):
        assert client.get(_preview(message)).status_code == 404
        assert client.post(_create(message)).status_code == 404
    assert not Article.objects.exists()


def test_the_staff_ticket_page_links_replies_only(
    client, ticket, reply, note, people
) -> None:
    question = ticket.messages.get(kind=Message.Kind.CUSTOMER)
    sign_in(client, people["agent"])

    html = client.get(ticket.get_absolute_url()).content.decode()

    assert html.count("/kb/draft-from/") == 1
    assert _preview(reply) in html
    assert _preview(note) not in html
    assert _preview(question) not in html


def test_the_customers_ticket_page_has_no_link(client, ticket, reply, people) -> None:
    sign_in(client, people["customer"])

    html = client.get(ticket.get_absolute_url()).content.decode()

    assert "/kb/draft-from/" not in html


@pytest.fixture
def other_organisations_reply(people, other_organisation) -> Message:
    """A reply to another organisation's ticket, to prove nothing of it
    leaks into a draft of this one (its people are not this ticket's)."""
    contact = MembershipFactory(
        organisation=other_organisation, user__full_name="Ольга Белова"
    ).user
    licence = LicenceFactory(organisation=other_organisation)
    ticket = open_ticket(
        contact=contact,
        licence=licence,
        subject="Вопрос",
        description="Текст.",
        category=Ticket.Category.OTHER,
    )
    return add_message(ticket, author=people["agent"], body="Ответ.")


def test_a_draft_knows_only_its_own_tickets_people(
    other_organisations_reply, reply, people
) -> None:
    known = drafting.known_of(reply.ticket, by=people["agent"])

    assert "Ольга Белова" not in known.names
    assert {"Анна Смирнова", "Борис Кузнецов", "Иван Петров"} <= set(known.names)
    assert "+79161234567" in known.phones
    assert "ALFA-0001-AAAA-0001" in known.licence_numbers
