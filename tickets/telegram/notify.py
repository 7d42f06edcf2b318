"""What the Telegram chats that follow a ticket hear of it.

Support's public replies, with their files; the ticket's status changes that
someone else made; and, once the ticket is closed, the rating question.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from tickets.models import (
    Attachment,
    Message,
    TelegramLink,
    Ticket,
    TicketEvent,
)
from tickets.telegram import bot_api, linking, outbox

# The rating buttons' callback data: "rate:<reference>:<score>".
RATE_ACTION = "rate"
# `services.rate_ticket`'s scale, 5 the best.
SCORES = range(1, 6)


def follows(link: TelegramLink, ticket: Ticket) -> bool:
    """Whether the ticket was filed in this chat, or the bot has talked about it there."""
    if ticket.channel == Ticket.Channel.TELEGRAM and link.user_id == ticket.contact_id:
        return True
    return link.sent_messages.filter(ticket=ticket).exists()


def _title(ticket: Ticket) -> str:
    return f"{ticket.reference} · {ticket.subject}"


def _ticket_url(ticket: Ticket) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(
        "tickets:detail", args=[ticket.reference]
    )


def reply_text(
    ticket: Ticket, message: Message, *, too_large: list[Attachment] | None = None
) -> str:
    """The reply as the chat reads it; the files that follow it are counted,
    those too large to send (`too_large`) named, to download from the ticket."""
    title = _title(ticket)
    replied = _("Support replied (%(name)s):") % {
        "name": message.author.get_full_name()
    }
    after = []
    files = message.attachments.count()
    if files:
        after.append(
            ngettext("%(count)d file attached", "%(count)d files attached", files)
            % {"count": files}
        )
    if too_large:
        after.append(
            _("Too large for Telegram, download from the ticket: %(names)s")
            % {"names": ", ".join(a.original_name for a in too_large)}
        )
    after += [_ticket_url(ticket), _("Reply to this message to answer.")]
    # The link and the hint must survive a long reply: the body is cut instead.
    room = (
        bot_api.MESSAGE_MAX_CHARS
        - len(title)
        - len(replied)
        - len("\n".join(after))
        - 8
    )
    return "\n".join([title, replied, "", outbox.fit(message.body, room), "", *after])


def status_text(ticket: Ticket, status: str) -> str:
    lines = [
        _title(ticket),
        _("Status: %(status)s") % {"status": Ticket.Status(status).label},
    ]
    if status == Ticket.Status.RESOLVED:
        # The e-mail says the same of itself; a chat's message is no letter.
        lines.append(
            pgettext(
                "telegram",
                "If the problem is not solved, reply to this message and the "
                "ticket reopens.",
            )
        )
    return "\n".join([*lines, _ticket_url(ticket)])


def rating_question(ticket: Ticket) -> tuple[str, outbox.Buttons]:
    """The question and its buttons, one per score of `services.rate_ticket`'s scale."""
    text = "\n".join(
        [
            _title(ticket),
            _("How did we do? Rate our help from 1 to 5, where 5 is best."),
        ]
    )
    buttons = [
        [(str(score), f"{RATE_ACTION}:{ticket.reference}:{score}") for score in SCORES]
    ]
    return text, buttons


def _followers(ticket: Ticket) -> list[TelegramLink]:
    """The linked chats of the contact and copied colleagues who may still use
    the bot for the ticket's organisation and follow it."""
    customers = [ticket.contact_id, *ticket.cc.values_list("pk", flat=True)]
    links = TelegramLink.objects.filter(user__in=customers).select_related(
        "user__membership"
    )
    return [
        link
        for link in links
        if linking.can_link(link.user, ticket.organisation_id) and follows(link, ticket)
    ]


def tell_followers(event: TicketEvent, *, closes: bool = False) -> int:
    """Queue what the chats following the ticket hear of one event; how many
    messages were queued.

    1. A public staff reply: its text, then each of its files (internal notes
       never go). Files above Telegram's upload limit are named in the text.
    2. A status change, unless the chat's own contact made it. A status set
       with a reply reaches no `notify()` (`services.add_message` only
       publishes it): the reply's text is the news.
    3. When the event `closes` the ticket (the change to closed, or a reply
       sent with it: `tickets.notify.closes_ticket`), the rating question
       after it, if the ticket can still be rated (`Ticket.awaits_rating`).
    """
    if not settings.TELEGRAM_BOT_TOKEN:
        return 0
    message = event.message
    ticket = event.ticket
    ask_rating = closes and ticket.awaits_rating()
    if (
        event.kind == TicketEvent.Kind.MESSAGE
        and message is not None
        and message.kind == Message.Kind.REPLY
    ):
        return _tell_reply(ticket, message, ask_rating=ask_rating)
    if event.kind == TicketEvent.Kind.STATUS:
        return _tell_status(ticket, event, ask_rating=ask_rating)
    return 0


def _ask_rating(link: TelegramLink, ticket: Ticket) -> int:
    with translation.override(link.user.language):
        text, buttons = rating_question(ticket)
    outbox.queue(link.chat_id, text, buttons=buttons, link=link, ticket=ticket)
    return 1


def _tell_reply(ticket: Ticket, message: Message, *, ask_rating: bool) -> int:
    attachments = list(message.attachments.all())
    sendable = [a for a in attachments if a.size <= bot_api.UPLOAD_MAX_BYTES]
    too_large = [a for a in attachments if a not in sendable]
    told = 0
    for link in _followers(ticket):
        with translation.override(link.user.language):
            text = reply_text(ticket, message, too_large=too_large)
        outbox.queue(link.chat_id, text, link=link, ticket=ticket)
        for attachment in sendable:
            outbox.queue_file(
                link.chat_id,
                attachment,
                caption=f"{ticket.reference} · {attachment.original_name}",
                link=link,
                ticket=ticket,
            )
        told += 1 + len(sendable)
        if ask_rating:
            told += _ask_rating(link, ticket)
    return told


def _tell_status(ticket: Ticket, event: TicketEvent, *, ask_rating: bool) -> int:
    told = 0
    for link in _followers(ticket):
        if event.actor_id == link.user_id:
            continue
        with translation.override(link.user.language):
            outbox.queue(
                link.chat_id,
                status_text(ticket, event.new_value),
                link=link,
                ticket=ticket,
            )
            told += 1
            if ask_rating:
                told += _ask_rating(link, ticket)
    return told
