"""Knowledge base drafts written from a ticket's answer (issue 23 of the
knowledge base): staff turn one of support's replies into a draft article,
the customer's question and support's answer with the personal data taken
out before anyone reviews it (`knowledge.personal_data`), linked to the
ticket it came from.

The page that previews a draft and the service that saves it compose it
with the same function, `compose_draft`: what staff check is what is saved.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import override

from accounts.models import User
from knowledge.models import (
    Article,
    ArticleProduct,
    ArticleTranslation,
    Category,
    SlugRedirect,
    TicketArticle,
    customer_language,
)
from knowledge.personal_data import Known, scrub
from knowledge.services import CHANGE, KnowledgeError, save_translation
from knowledge.transliteration import transliterate
from tickets.models import Message, MessageQuerySet, Ticket

# The start of a title a slug keeps: an address, not a sentence.
SLUG_LENGTH = 80
# A placeholder of personal data ("[name]"): no part of an address.
_PLACEHOLDER = re.compile(r"\[[^\]]*\]")


@dataclass(frozen=True)
class Draft:
    """An article as an answer makes it, before it is saved."""

    language: str
    title: str
    body: str
    category: Category
    product: str
    # Customers with active support: a safe default the reviewer may widen.
    visibility: str = Article.Visibility.CUSTOMERS

    @property
    def visibility_label(self) -> str:
        return str(Article.Visibility(self.visibility).label)


def may_draft(user: User) -> bool:
    """Whether the user may write an article from a ticket's answer: staff
    who write articles."""
    return user.is_active and user.is_staff and user.has_perm(CHANGE)


def replies_to_draft(user: User) -> MessageQuerySet:
    """Support's replies the user may write an article from: those of the
    tickets they see (`Message.objects.visible_to`), notes and customers'
    messages never."""
    if not may_draft(user):
        return Message.objects.none()
    return (
        Message.objects.visible_to(user)
        .filter(kind=Message.Kind.REPLY)
        .select_related(
            "ticket__organisation", "ticket__licence", "ticket__contact", "author"
        )
    )


def known_of(ticket: Ticket, *, by: User) -> Known:
    """What the ticket knows of its people and its customer: the contact,
    the colleagues copied, the assignee, every author of its messages and
    the person drafting; the organisation, its tax id and all its licences."""
    people = User.objects.filter(
        Q(pk__in=[ticket.contact_id, ticket.assignee_id, by.pk])
        | Q(pk__in=ticket.messages.values("author"))
        | Q(copied_tickets=ticket)
    ).distinct()
    names, phones = set(), {ticket.contact_phone}
    for person in people:
        names.add(person.full_name)
        phones |= {person.phone, person.mobile_phone}
    organisation = ticket.organisation
    numbers = set(organisation.licences.values_list("number", flat=True))
    numbers.add(ticket.licence.number)
    return Known(
        names=tuple(sorted(names - {""})),
        organisations=(organisation.name, organisation.tax_id),
        licence_numbers=tuple(sorted(numbers)),
        phones=tuple(sorted(phone.as_e164 for phone in phones if phone)),
    )


def draft_category(product: str) -> Category:
    """The first category of the licence's product, else the first at the
    top of the tree: the reviewer moves the article if it belongs elsewhere."""
    categories = Category.objects.order_by("position", "pk")
    found = categories.filter(product__iexact=product).first() if product else None
    found = found or categories.filter(parent=None).first()
    if found is None:
        raise KnowledgeError(
            _(
                "The knowledge base has no category yet; create one in the "
                "admin before writing an article from a ticket."
            )
        )
    return found


def compose_draft(message: Message, *, by: User) -> Draft:
    """The draft a support reply makes, as `draft_from_reply` saves it.

    1. The language is the contact's; headings and placeholders are in it.
    2. The title is the ticket's subject; the body a "Question" (the
       customer's first message) and an "Answer" (the reply), each without
       the quoted history of an e-mail.
    3. Personal data of everyone in the ticket is replaced in all three.
    4. The category follows the licence's product (`draft_category`).
    """
    ticket = message.ticket
    known = known_of(ticket, by=by)
    language = customer_language(ticket)
    first = (
        ticket.messages.filter(kind=Message.Kind.CUSTOMER)
        .order_by("created_at", "pk")
        .first()
    )
    question = first.quote_parts()[0].strip() if first else ""
    answer = message.quote_parts()[0].strip()
    with override(language):
        title = scrub(ticket.subject, known=known)
        body = "\n\n".join(
            [
                "## " + _("Question"),
                scrub(question, known=known),
                "## " + _("Answer"),
                scrub(answer, known=known),
            ]
        )
    product = ticket.licence.product
    return Draft(
        language=language,
        title=title[: ArticleTranslation._meta.get_field("title").max_length],
        body=body + "\n",
        category=draft_category(product),
        product=product,
    )


def free_slug(title: str, *, language: str) -> str:
    """A slug for the title that no article's text in the language has, nor
    had (an old address still redirects to its article): transliterated,
    without placeholders, numbered when taken ("-2", "-3"…)."""
    words = transliterate(_PLACEHOLDER.sub(" ", title))
    base = slugify(words)[:SLUG_LENGTH].strip("-") or "article"
    taken = set(
        ArticleTranslation.objects.filter(
            language=language, slug__startswith=base
        ).values_list("slug", flat=True)
    ) | set(
        SlugRedirect.objects.filter(
            language=language, old_slug__startswith=base
        ).values_list("old_slug", flat=True)
    )
    slug, number = base, 1
    while slug in taken:
        number += 1
        slug = f"{base}-{number}"
    return slug


@transaction.atomic
def draft_from_reply(message: Message, *, by: User) -> Article:
    """Write a draft article from a support reply, by `compose_draft`.

    1. Staff who write articles only, for a reply of a ticket they see.
    2. The article is a draft in the draft's visibility, written by `by`,
       for the licence's product.
    3. Its text is saved through `save_translation`, so its history starts
       with it; the ticket is recorded as its source.
    """
    reply = replies_to_draft(by).filter(pk=message.pk).first()
    if reply is None:
        raise KnowledgeError(
            _("Only a support reply of a ticket you can see becomes an article.")
        )
    draft = compose_draft(reply, by=by)
    article = Article.objects.create(
        category=draft.category,
        visibility=draft.visibility,
        author=by,
    )
    ticket = reply.ticket
    save_translation(
        article,
        language=draft.language,
        title=draft.title,
        slug=free_slug(draft.title, language=draft.language),
        body=draft.body,
        by=by,
        note=_("Written from ticket %(reference)s") % {"reference": ticket.reference},
    )
    if draft.product:
        ArticleProduct.objects.create(article=article, product=draft.product)
    TicketArticle.objects.create(
        article=article,
        ticket=ticket,
        kind=TicketArticle.Kind.SOURCE,
        language=draft.language,
        added_by=by,
    )
    return article
