"""Support's replies reach the Telegram chats of the customers who use the bot for the ticket."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tickets.models import Message, TelegramLink, Ticket, TicketEvent
from tickets.telegram import bot_api, linking, outbox


def follows(link: TelegramLink, ticket: Ticket) -> bool:
    """Whether the ticket was filed in this chat, or the bot has talked about it there."""
    if ticket.channel == Ticket.Channel.TELEGRAM and link.user_id == ticket.contact_id:
        return True
    return link.sent_messages.filter(ticket=ticket).exists()


def reply_text(ticket: Ticket, message: Message) -> str:
    title = f"{ticket.reference} · {ticket.subject}"
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
    after += [
        settings.SITE_URL.rstrip("/")
        + reverse("tickets:detail", args=[ticket.reference]),
        _("Reply to this message to answer."),
    ]
    # The link and the hint must survive a long reply: the body is cut instead.
    room = (
        bot_api.MESSAGE_MAX_CHARS
        - len(title)
        - len(replied)
        - len("\n".join(after))
        - 8
    )
    return "\n".join([title, replied, "", outbox.fit(message.body, room), "", *after])


def tell_followers(event: TicketEvent) -> int:
    """Queue a public staff reply to the linked chats of the contact and copied
    colleagues who follow the ticket in Telegram; internal notes never go."""
    message = event.message
    if (
        not settings.TELEGRAM_BOT_TOKEN
        or event.kind != TicketEvent.Kind.MESSAGE
        or message is None
        or message.kind != Message.Kind.REPLY
    ):
        return 0
    ticket = event.ticket
    customers = [ticket.contact_id, *ticket.cc.values_list("pk", flat=True)]
    links = TelegramLink.objects.filter(user__in=customers).select_related(
        "user__membership"
    )
    told = 0
    for link in links:
        if not linking.can_link(link.user, ticket.organisation_id) or not follows(
            link, ticket
        ):
            continue
        with translation.override(link.user.language):
            text = reply_text(ticket, message)
        outbox.queue(link.chat_id, text, link=link, ticket=ticket)
        told += 1
    return told
