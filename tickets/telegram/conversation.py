"""The dialogue with a linked contact, in the contact's language.

A menu of: new ticket (asks which licence when there are several, then the
subject, offers articles that may answer it (`tickets.answers`: a number
pressed says one did, and no ticket is filed), then the text; photos and documents are checked by the portal's rules
and fetched from Telegram when the ticket is filed), open tickets, one ticket,
a reply (by a button, `/reply`, or by replying to the bot's message about a
ticket), support hours now, and a score pressed under the rating question
(then the next text is the rating's comment, unless skipped).
Where a conversation stands is kept on the chat's link
(`TelegramLink.conversation`); any command or menu button ends an unfinished
ticket, reply or comment (a rating does not).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.dates import WEEKDAYS
from django.utils.text import capfirst
from django.utils.timezone import localtime, now
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Licence, User
from schedule import current as support_hours
from schedule import texts as support_texts
from tickets import answers, services
from tickets.models import Message, OutgoingTelegramMessage, TelegramLink, Ticket
from tickets.telegram import bot_api, notify, outbox
from tickets.telegram.incoming import Incoming, TelegramFile

# Open tickets listed in one message; the portal lists them all.
LIST_LIMIT = 10
# The latest public messages shown with a ticket, and how much of each.
SHOWN_MESSAGES = 3
SHOWN_MESSAGE_CHARS = 700


def site_url(name: str, *args: object) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(name, args=args)


class FileNotFetched(services.TicketError):
    """Telegram would not give a file (gone, too large): the user must send it again."""

    def __init__(self, telegram_file: TelegramFile) -> None:
        self.telegram_file = telegram_file
        super().__init__(
            _("%(name)s could not be fetched from Telegram; send it again.")
            % {"name": telegram_file.name}
        )


def command_descriptions() -> list[tuple[str, bool, str]]:
    """(command, whether it takes a ticket reference, what it does) in the active language."""
    return [
        ("new", False, _("file a new ticket")),
        ("list", False, _("your open tickets")),
        ("show", True, _("one ticket")),
        ("reply", True, _("answer in a ticket (or reply to a message about it)")),
        ("hours", False, _("support hours now")),
        ("cancel", False, _("stop what you started")),
    ]


# Commands and the buttons' callback data, to one action each.
COMMANDS = {
    "/start": "menu",
    "/menu": "menu",
    "/help": "help",
    "/new": "new",
    "/list": "list",
    "/tickets": "list",
    "/show": "show",
    "/reply": "reply",
    "/hours": "hours",
    "/cancel": "cancel",
}
# Buttons that belong to a ticket being filed; every other action ends it,
# but for those answered on the side.
FLOW_ACTIONS = {"licence", "send", "solved"}
SIDE_ACTIONS = {notify.RATE_ACTION}


class Dialogue:
    """A linked contact's conversation with the bot; the state is kept on the link."""

    def __init__(self, link: TelegramLink, user: User, incoming: Incoming) -> None:
        self.link = link
        self.user = user
        self.incoming = incoming

    # Saying things.

    def say(
        self,
        text: str,
        *,
        buttons: outbox.Buttons | None = None,
        ticket: Ticket | None = None,
    ) -> None:
        outbox.queue(
            self.link.chat_id, text, buttons=buttons, link=self.link, ticket=ticket
        )

    def menu_buttons(self) -> outbox.Buttons:
        return [
            [(_("New ticket"), "new")],
            [(_("My open tickets"), "list")],
            [(_("Support hours"), "hours"), (_("Help"), "help")],
        ]

    def _cancel_button(self) -> outbox.Buttons:
        return [[(_("Cancel"), "cancel")]]

    def help_text(self) -> str:
        reference = f"{settings.TICKET_REFERENCE_PREFIX}-…"
        commands = [
            f"/{name}{f' {reference}' if takes_reference else ''} — {description}"
            for name, takes_reference, description in command_descriptions()
        ]
        return "\n\n".join(
            [
                _(
                    "I am the technical support bot. Here you can file a ticket, "
                    "follow your open tickets and answer support. Support's "
                    "replies come here and by e-mail."
                ),
                _(
                    "Support covers configuring our products while your subscription "
                    "is active. It does not include user training."
                ),
                "\n".join([_("Commands:"), *commands]),
            ]
        )

    # The conversation's state.

    @property
    def state(self) -> dict[str, Any]:
        return self.link.conversation or {}

    def _save(self, **state: Any) -> None:
        self.link.conversation = state
        self.link.save(update_fields=["conversation"])

    # Dispatch.

    def _action(self) -> tuple[str, str]:
        data = self.incoming.callback_data
        if data:
            action, _colon, argument = data.partition(":")
            return action, argument
        command, argument = self.incoming.command()
        if command:
            return COMMANDS.get(command, "menu"), argument
        return "", ""

    def handle(self) -> None:
        action, argument = self._action()
        if action:
            if action not in FLOW_ACTIONS | SIDE_ACTIONS:
                self._save()
            handler = {
                "menu": self.menu,
                "help": self.help,
                "cancel": self.cancel,
                "new": self.start_new,
                "licence": self.choose_licence,
                "send": self.file_ticket,
                "solved": self.solved,
                "list": self.list_open,
                "show": self.show,
                "reply": self.start_reply,
                "hours": self.hours,
                notify.RATE_ACTION: self.rate,
            }.get(action, self.menu)
            handler(argument)
            return
        if self.incoming.unsupported and not self.incoming.files:
            self.say(_("I can take text, photos and documents only."))
            return
        replied = self._replied_ticket()
        step = self.state.get("step")
        # A reply to the rated ticket's messages is the comment too; one to
        # another ticket's goes there.
        if step == "rating_comment" and (
            replied is None or replied.reference == self.state.get("reference")
        ):
            self.take_rating_comment()
            return
        if replied is not None:
            self._add_to_ticket(replied)
            return
        if step == "subject":
            self.take_subject()
        elif step == "body":
            self.take_body()
        elif step == "reply":
            self.take_reply()
        else:
            self.say(
                _(
                    "To add to a ticket, reply to a message about it. "
                    "Or choose what to do:"
                ),
                buttons=self.menu_buttons(),
            )

    # Menu, help, hours.

    def menu(self, argument: str = "") -> None:
        self.say(_("What would you like to do?"), buttons=self.menu_buttons())

    def help(self, argument: str = "") -> None:
        self.say(self.help_text(), buttons=self.menu_buttons())

    def cancel(self, argument: str = "") -> None:
        self.say(_("Stopped; nothing was sent."), buttons=self.menu_buttons())

    def hours(self, argument: str = "") -> None:
        banner = support_texts.banner(
            support_hours.status(now()), support_hours.today()
        )
        week = [
            f"{capfirst(WEEKDAYS[day])}: "
            + (
                ", ".join(f"{i.opens:%H:%M}–{i.closes:%H:%M}" for i in intervals)
                or _("closed")
            )
            for day, intervals in enumerate(support_hours.calendar().weekly)
        ]
        self.say(
            "\n".join(
                [
                    banner.message,
                    "",
                    _("Regular hours, Moscow time:"),
                    *week,
                    "",
                    _("Public holidays are days off. Holidays and contacts: %(url)s")
                    % {"url": site_url("schedule:support_hours")},
                ]
            ),
            buttons=self.menu_buttons(),
        )

    # Filing a ticket.

    def start_new(self, argument: str = "") -> None:
        licences = list(
            Licence.objects.visible_to(self.user)
            .with_periods()
            .select_related("organisation")
        )
        refusals = {
            licence.pk: services.licence_refusal(licence) for licence in licences
        }
        usable = [licence for licence in licences if refusals[licence.pk] is None]
        if not usable:
            # A linked chat's user is a contact (`linking.can_link`).
            organisation = self.user.membership.organisation
            reasons = list(dict.fromkeys(r for r in refusals.values() if r)) or [
                _("%(organisation)s has no licence with active support.")
                % {"organisation": organisation.name}
            ]
            self.say(
                "\n\n".join(
                    [
                        _("A new ticket cannot be filed now."),
                        *reasons,
                        _("Tickets filed earlier can still be read and answered here."),
                    ]
                ),
                buttons=self.menu_buttons(),
            )
            return
        if len(usable) == 1:
            self._ask_subject(usable[0])
            return
        self._save(step="licence")
        self.say(
            _("Which licence is the ticket about?"),
            buttons=[
                [(f"{licence.number} · {licence.product}", f"licence:{licence.pk}")]
                for licence in usable
            ]
            + self._cancel_button(),
        )

    def choose_licence(self, argument: str) -> None:
        licence = (
            Licence.objects.visible_to(self.user)
            .with_periods()
            .filter(pk=int(argument) if argument.isdigit() else None)
            .first()
        )
        if self.state.get("step") != "licence" or licence is None:
            self._save()
            self.say(
                _("That button belongs to an earlier conversation."),
                buttons=self.menu_buttons(),
            )
            return
        refusal = services.licence_refusal(licence)
        if refusal:
            self._save()
            self.say(refusal, buttons=self.menu_buttons())
            return
        self._ask_subject(licence)

    def _ask_subject(self, licence: Licence) -> None:
        self._save(step="subject", licence=licence.pk)
        self.say(
            _(
                "A new ticket for licence %(number)s (%(product)s). "
                "What is the subject, in one line?"
            )
            % {"number": licence.number, "product": licence.product},
            buttons=self._cancel_button(),
        )

    def take_subject(self) -> None:
        subject = " ".join(self.incoming.text.split())[:200]
        if not subject or self.incoming.files:
            self.say(
                _("Send the subject as one line of text first."),
                buttons=self._cancel_button(),
            )
            return
        licence = Licence.objects.filter(pk=self.state["licence"]).first()
        offer = answers.offer(
            self.user,
            subject,
            product=licence.product if licence else "",
            channel=Ticket.Channel.TELEGRAM,
        )
        self._save(
            step="body",
            licence=self.state["licence"],
            subject=subject,
            body="",
            files=[],
            offer=offer.key if offer else "",
        )
        ask = _(
            "Now describe the problem: what you did, what happened and what you "
            "expected. You can send several messages, photos and documents "
            "(up to %(size)d MB each). Press “Send” when you are done."
        ) % {"size": self._file_limit() // 2**20}
        if offer is None:
            self.say(ask, buttons=self._draft_buttons())
            return
        listed = [
            f"{number}. {answer.title}\n{answer.url}"
            for number, answer in enumerate(offer.answers, start=1)
        ]
        self.say(
            "\n\n".join(
                [
                    _("These articles may answer your question:"),
                    *listed,
                    _("If one of them does, press its number."),
                    ask,
                ]
            ),
            buttons=[
                [
                    (str(number), f"solved:{number}")
                    for number in range(1, len(offer.answers) + 1)
                ],
                *self._draft_buttons(),
            ],
        )

    def solved(self, argument: str) -> None:
        """A number pressed under the suggested articles: that one answered."""
        state = self.state
        key = state.get("offer") if state.get("step") == "body" else ""
        if not key or not argument.isdigit():
            self._save()
            self.say(
                _("That button belongs to an earlier conversation."),
                buttons=self.menu_buttons(),
            )
            return
        if not answers.solved(self.user, key, int(argument)):
            self.say(
                _("That article is no longer offered; describe the problem instead."),
                buttons=self._draft_buttons(),
            )
            return
        self._save()
        self.say(
            _("We are glad the article helped. No ticket was filed."),
            buttons=self.menu_buttons(),
        )

    def _draft_buttons(self) -> outbox.Buttons:
        return [[(_("Send"), "send"), (_("Cancel"), "cancel")]]

    def take_body(self) -> None:
        state = dict(self.state)
        accepted = self._check_files(len(state.get("files", [])))
        text = self.incoming.text.strip()
        if text:
            state["body"] = "\n\n".join(p for p in [state.get("body", ""), text] if p)
        state["files"] = [*state.get("files", []), *(f.as_dict() for f in accepted)]
        self._save(**state)
        if text or accepted:
            self.say(
                _("Added. Write more, attach files, or press “Send”."),
                buttons=self._draft_buttons(),
            )

    def file_ticket(self, argument: str = "") -> None:
        state = self.state
        if state.get("step") != "body":
            self._save()
            self.say(
                _("That button belongs to an earlier conversation."),
                buttons=self.menu_buttons(),
            )
            return
        if not state.get("body", "").strip():
            self.say(
                _("Describe the problem in a message first."),
                buttons=self._draft_buttons(),
            )
            return
        licence = (
            Licence.objects.visible_to(self.user).filter(pk=state["licence"]).first()
        )
        files = [TelegramFile(**f) for f in state.get("files", [])]
        try:
            if licence is None:
                raise services.TicketError(
                    _("This licence does not belong to the contact's organisation.")
                )
            ticket = services.open_ticket(
                contact=self.user,
                licence=licence,
                subject=state["subject"],
                description=state["body"],
                category=Ticket.Category.OTHER,
                channel=Ticket.Channel.TELEGRAM,
                attachments=self._download(files),
            )
        except FileNotFetched as error:
            # The draft stays, without the file Telegram would not give.
            self._save(
                **{
                    **state,
                    "files": [f.as_dict() for f in files if f != error.telegram_file],
                }
            )
            self.say(str(error), buttons=self._draft_buttons())
            return
        except services.TicketError as error:
            self._save()
            self.say(str(error), buttons=self.menu_buttons())
            return
        self._save()
        lines = [
            _(
                "Ticket %(reference)s is filed. Support will answer here and by "
                "e-mail to %(email)s. To add something, reply to this message."
            )
            % {"reference": ticket.reference, "email": ticket.contact_email}
        ]
        status = support_hours.status(now())
        if not status.is_open:
            lines.append(support_texts.banner(status, support_hours.today()).message)
        self.say("\n\n".join(lines), buttons=self.menu_buttons(), ticket=ticket)

    # Reading tickets.

    def _ticket(self, reference: str) -> Ticket | None:
        return (
            Ticket.objects.visible_to(self.user)
            .select_related("licence")
            .filter(reference__iexact=reference.strip())
            .first()
        )

    def _not_found(self, reference: str) -> None:
        self.say(
            _("There is no ticket %(reference)s among yours.")
            % {"reference": reference.strip()[:40] or "—"},
            buttons=self.menu_buttons(),
        )

    def list_open(self, argument: str = "") -> None:
        tickets = list(
            Ticket.objects.visible_to(self.user)
            .open()
            .order_by("-created_at", "-pk")[: LIST_LIMIT + 1]
        )
        if not tickets:
            self.say(_("You have no open tickets."), buttons=self.menu_buttons())
            return
        lines = [_("Open tickets:"), ""]
        lines += [
            f"{t.reference} · {t.get_status_display()} · {t.subject}"
            for t in tickets[:LIST_LIMIT]
        ]
        if len(tickets) > LIST_LIMIT:
            lines += [
                "",
                _("All of them: %(url)s") % {"url": site_url("tickets:list")},
            ]
        self.say(
            "\n".join(lines),
            buttons=[
                [(f"{t.reference} · {t.subject}", f"show:{t.reference}")]
                for t in tickets[:LIST_LIMIT]
            ]
            + [[(_("Menu"), "menu")]],
        )

    def show(self, reference: str) -> None:
        if not reference.strip():
            self.list_open()
            return
        ticket = self._ticket(reference)
        if ticket is None:
            self._not_found(reference)
            return
        latest = list(
            Message.objects.filter(ticket=ticket)
            .public()
            .select_related("author")
            .prefetch_related("attachments")
            .order_by("-created_at", "-pk")[:SHOWN_MESSAGES]
        )
        lines = [
            f"{ticket.reference} · {ticket.subject}",
            _("Status: %(status)s") % {"status": ticket.get_status_display()},
            _("Licence: %(number)s (%(product)s)")
            % {"number": ticket.licence.number, "product": ticket.licence.product},
            _("Filed: %(when)s")
            % {"when": f"{localtime(ticket.created_at):%d.%m.%Y %H:%M}"},
        ]
        for message in reversed(latest):
            files = len(message.attachments.all())
            lines += [
                "",
                f"— {localtime(message.created_at):%d.%m.%Y %H:%M}, "
                f"{message.author.get_full_name()}:",
                outbox.fit(message.body, SHOWN_MESSAGE_CHARS),
            ]
            if files:
                lines.append(
                    ngettext(
                        "%(count)d file attached", "%(count)d files attached", files
                    )
                    % {"count": files}
                )
        lines += ["", site_url("tickets:detail", ticket.reference)]
        self.say(
            "\n".join(lines),
            buttons=[
                [(_("Reply"), f"reply:{ticket.reference}")],
                [(_("Menu"), "menu")],
            ],
            ticket=ticket,
        )

    # Replying.

    def start_reply(self, reference: str) -> None:
        if not reference.strip():
            self.list_open()
            return
        ticket = self._ticket(reference)
        if ticket is None:
            self._not_found(reference)
            return
        self._save(step="reply", reference=ticket.reference)
        self.say(
            _("Write your reply to %(reference)s; you can attach photos and documents.")
            % {"reference": ticket.reference},
            buttons=self._cancel_button(),
            ticket=ticket,
        )

    def take_reply(self) -> None:
        reference = self.state.get("reference", "")
        self._save()
        ticket = self._ticket(reference)
        if ticket is None:
            self._not_found(reference)
            return
        self._add_to_ticket(ticket)

    def _replied_ticket(self) -> Ticket | None:
        """The ticket of the bot's message the user replied to, if they may see it."""
        if not self.incoming.reply_to:
            return None
        ticket_id = (
            OutgoingTelegramMessage.objects.filter(
                chat_id=self.link.chat_id,
                telegram_message_id=self.incoming.reply_to,
                ticket__isnull=False,
            )
            .values_list("ticket_id", flat=True)
            .first()
        )
        if ticket_id is None:
            return None
        return Ticket.objects.visible_to(self.user).filter(pk=ticket_id).first()

    def _add_to_ticket(self, ticket: Ticket) -> None:
        accepted = self._check_files(0)
        text = self.incoming.text.strip()
        if not text and not accepted:
            if not self.incoming.files:
                self.say(_("Write a message or attach a file."))
            return
        try:
            services.add_message(
                ticket,
                author=self.user,
                body=text,
                attachments=self._download(accepted),
                channel=Ticket.Channel.TELEGRAM,
            )
        except services.TicketError as error:
            self.say(str(error))
            return
        self.say(
            _("Added to %(reference)s. To add more, reply to this message.")
            % {"reference": ticket.reference},
            ticket=ticket,
        )

    # Rating.

    def rate(self, argument: str) -> None:
        """A score pressed under the rating question (`notify.rating_question`):
        rated by `services.rate_ticket`'s rules, the question then thanks."""
        reference, _colon, score = argument.rpartition(":")
        ticket = self._ticket(reference)
        if ticket is None:
            self._not_found(reference)
            return
        try:
            rating = services.rate_ticket(
                ticket,
                by=self.user,
                score=int(score) if score.isdigit() else 0,
                channel=Ticket.Channel.TELEGRAM,
            )
        except services.TicketError as error:
            self.say(f"{ticket.reference}: {error}", ticket=ticket)
            return
        thanks = "\n".join(
            [
                f"{ticket.reference} · {ticket.subject}",
                _("Your rating: %(score)d of %(best)d.")
                % {"score": rating.score, "best": max(notify.SCORES)},
                _("Thank you for your rating."),
            ]
        )
        if self.incoming.callback_message_id is None:
            self.say(thanks, ticket=ticket)
        else:
            # The question becomes the thanks, and its buttons go.
            outbox.queue_edit(
                self.link.chat_id,
                self.incoming.callback_message_id,
                thanks,
                link=self.link,
                ticket=ticket,
            )
        if self.state.get("step") not in (None, "rating_comment"):
            return  # a ticket or reply being written keeps the next message
        self._save(step="rating_comment", reference=ticket.reference)
        self.say(
            _("Add a comment to your rating? Write it in one message, or press Skip."),
            buttons=self._skip_button(),
            ticket=ticket,
        )

    def _skip_button(self) -> outbox.Buttons:
        return [[(_("Skip"), "menu")]]

    def take_rating_comment(self) -> None:
        """The message after a score: the rating's comment (text only)."""
        text = self.incoming.text.strip()
        if not text or self.incoming.files:
            self.say(
                _("A comment is text only: write it in one message, or press Skip."),
                buttons=self._skip_button(),
            )
            return
        reference = self.state.get("reference", "")
        self._save()
        ticket = self._ticket(reference)
        if ticket is None:
            self._not_found(reference)
            return
        try:
            services.comment_on_rating(ticket, by=self.user, comment=text)
        except services.TicketError as error:
            self.say(f"{ticket.reference}: {error}", ticket=ticket)
            return
        self.say(
            _("Thank you for your comment."),
            buttons=self.menu_buttons(),
            ticket=ticket,
        )

    # Files.

    def _file_limit(self) -> int:
        return min(settings.TICKET_ATTACHMENT_MAX_BYTES, bot_api.DOWNLOAD_MAX_BYTES)

    def _check_files(self, already: int) -> list[TelegramFile]:
        """The message's files a ticket may keep; each refused one is explained."""
        accepted: list[TelegramFile] = []
        for telegram_file in self.incoming.files:
            try:
                if already + len(accepted) >= settings.TICKET_ATTACHMENT_MAX_FILES:
                    raise services.TicketError(
                        _("Attach at most %(count)d files to one message.")
                        % {"count": settings.TICKET_ATTACHMENT_MAX_FILES}
                    )
                # The portal's rules (type, size), on what Telegram says of the file.
                services.check_attachments([telegram_file])  # type: ignore[list-item]
                if telegram_file.size > self._file_limit():
                    raise services.TicketError(
                        _("%(name)s is larger than %(limit)d MB.")
                        % {
                            "name": telegram_file.name,
                            "limit": self._file_limit() // 2**20,
                        }
                    )
            except services.TicketError as error:
                self.say(str(error))
            else:
                accepted.append(telegram_file)
        return accepted

    def _download(self, files: list[TelegramFile]) -> list[SimpleUploadedFile]:
        """Fetch the files from Telegram; `TelegramUnavailable` rolls the update back."""
        uploads = []
        for telegram_file in files:
            try:
                found = bot_api.get_file(telegram_file.file_id)
                content = bot_api.download(
                    str(found["file_path"]), max_bytes=self._file_limit()
                )
            except (bot_api.BotApiError, KeyError, TypeError) as error:
                raise FileNotFetched(telegram_file) from error
            uploads.append(
                SimpleUploadedFile(
                    telegram_file.name, content, telegram_file.content_type
                )
            )
        return uploads
