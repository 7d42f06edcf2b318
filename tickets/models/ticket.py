"""The ticket, its conversation, history, links and the workspace around it."""

from __future__ import annotations

import datetime
import os
import re
import uuid
from collections.abc import Sequence
from typing import Self

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField
from django.core.files import File
from django.db import connections, models
from django.db.models import Count, Exists, F, Func, OuterRef, Q, Subquery, Value
from django.db.models.expressions import RawSQL
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan
from django.db.models.functions import Coalesce
from django.db.models.lookups import Contains
from django.urls import reverse
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField
from phonenumber_field.phonenumber import to_python

from accounts.models import Licence, Membership, Organisation, User
from helpdesk import audit
from tickets.email.text import split_quoted
from tickets.file_types import HEAD_BYTES, stored_content_type
from tickets.models.group import SupportGroup, Tag

# Where the queue puts tickets without a deadline: after every real deadline.
NO_DEADLINE = datetime.datetime(9999, 1, 1, tzinfo=datetime.UTC)


def queue_position() -> Coalesce:
    """The queue's sort key: the deadline, or "never" (one expression, so one
    index serves the order and the keyset condition of every page)."""
    return Coalesce("sla_due_at", Value(NO_DEADLINE))


# A public reference as people type it: HD-2026-000123.
REFERENCE = re.compile(r"[A-Za-z]+-\d{4}-\d{6}")
PHONE = re.compile(r"[\d\s()+\-.]+")
# PostgreSQL's `russian` configuration stems Cyrillic words as Russian and
# Latin ones as English, so one configuration serves both languages.
SEARCH_CONFIG = "russian"
SEARCH_RANKED_MATCHES = 200
# Characters of message text indexed per ticket (a tsvector holds at most 1 MB).
SEARCH_TEXT_LIMIT = 200_000


def _search_vector_sql(subject: str, codes: str, text: str) -> str:
    """A ticket's `search_vector` as SQL, from SQL for its subject, its
    reference and e-mail address, and its messages' text. Parameters: the
    configuration three times, then `SEARCH_TEXT_LIMIT`."""
    return (
        f"setweight(to_tsvector(%s, {subject}), 'A')"
        f" || setweight(to_tsvector(%s, {codes}), 'B')"
        f" || setweight(to_tsvector(%s, left({text}, %s)), 'D')"
    )


def new_search_vector(ticket: Ticket, text: str) -> RawSQL | None:
    """The `search_vector` of a ticket not yet saved whose only message says
    `text`, to store with the row itself (PostgreSQL only; None elsewhere)."""
    if connections[Ticket.objects.db].vendor != "postgresql":
        return None
    return RawSQL(
        _search_vector_sql("%s", "%s", "%s"),
        [
            SEARCH_CONFIG,
            ticket.subject,
            SEARCH_CONFIG,
            f"{ticket.reference} {ticket.contact_email}".strip(),
            SEARCH_CONFIG,
            text,
            SEARCH_TEXT_LIMIT,
        ],
    )


NAME_MATCHES = 200


def _ids(queryset: models.QuerySet) -> list[int] | models.QuerySet | None:
    """The ids of a few rows, for the ticket query's index look-up; the query
    itself when a common word matches too many rows to list; None if none."""
    ids = list(queryset.values_list("pk", flat=True)[: NAME_MATCHES + 1])
    if len(ids) > NAME_MATCHES:
        return queryset.values("pk")
    return ids or None


# What SQLite searches by substring, beside the messages.
SUBSTRING_FIELDS = (
    "reference",
    "subject",
    "organisation__name",
    "organisation__tax_id",
    "contact__full_name",
    "contact__email",
    "contact_email",
    "licence__number",
)


def _casefolded(field: str) -> Func:
    return Func(F(field), function="CASEFOLD")


def _phone_match(text: str, digits: str) -> Q:
    # Phone number fields store a valid number in E.164: a full number typed
    # in any form is found exactly, a part of one by substring.
    phone = to_python(text)
    if phone.is_valid():
        contacts = User.objects.filter(phone=phone).values("pk")
        return Q(contact_phone=phone) | Q(contact__in=contacts)
    return Q(contact_phone__contains=digits) | Q(contact__phone__contains=digits)


def _text_query(text: str) -> SearchQuery:
    return SearchQuery(text, config=SEARCH_CONFIG)


def _named(word: str) -> Q | None:
    """Tickets whose organisation (name or tax id), contact (name or e-mail)
    or licence number contains the word; None if no name does. Small tables
    with trigram indexes, so their ids go to the ticket query."""
    if len(word) < 3:
        # Shorter than a trigram: no index could answer it.
        return None
    matches = {
        "organisation__in": _ids(
            Organisation.objects.filter(Q(name__icontains=word) | Q(tax_id=word))
        ),
        "contact__in": _ids(
            User.objects.filter(Q(full_name__icontains=word) | Q(email__icontains=word))
        ),
        "licence__in": _ids(Licence.objects.filter(number__icontains=word)),
    }
    found = [Q(**{lookup: ids}) for lookup, ids in matches.items() if ids is not None]
    return Q(*found, _connector=Q.OR) if found else None


class TicketQuerySet(models.QuerySet["Ticket"]):
    def visible_to(self, user: User) -> TicketQuerySet:
        """The one answer to "which tickets may this user see".

        Staff see every ticket; an organisation's manager sees all of its
        tickets; a member sees the tickets they filed or were copied on.
        """
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_staff:
            return self.all()
        # Kept on the user, where the page's menu reads it again.
        membership = user.membership_or_none
        if membership is None:
            return self.none()
        mine = self.filter(organisation_id=membership.organisation_id)
        if membership.role == Membership.Role.MANAGER:
            return mine
        return mine.filter(Q(contact=user) | Q(cc=user)).distinct()

    def search(self, text: str) -> TicketQuerySet:
        """Tickets matching the text: a reference exactly; otherwise every
        word in the subject, the messages, the organisation (name or tax id),
        the contact (name or e-mail) or the licence number, most relevant
        first. A number that could be a phone number also finds the tickets
        of that phone, typed in any form.

        On PostgreSQL the text is full-text searched (the `russian`
        configuration stems Russian words and, for Latin ones, English) over
        `Ticket.search_vector`; elsewhere every word is a substring match.
        """
        text = " ".join(text.split()[:8])
        if not text:
            return self.none()
        if REFERENCE.fullmatch(text):
            return self.filter(reference__iexact=text)
        postgres = connections[self.db].vendor == "postgresql"
        match = self._words_match(text) if postgres else self._substrings_match(text)
        digits = re.sub(r"\D", "", text)
        if PHONE.fullmatch(text) and len(digits) >= 5:
            # A tax id or a part of a licence number looks like one too.
            match |= _phone_match(text, digits)
        if not postgres:
            return self.filter(match).order_by("-created_at", "-pk")
        # Rank only the newest matches: ranking every match of a common word
        # in a million tickets would read them all.
        newest = self.filter(match).order_by("-created_at").values("pk")
        return (
            self.filter(pk__in=newest[:SEARCH_RANKED_MATCHES])
            .annotate(rank=SearchRank(F("search_vector"), _text_query(text)))
            .order_by("-rank", "-created_at", "-pk")
        )

    def _words_match(self, text: str) -> Q:
        # Names are read from their own tables, not from the index: a renamed
        # organisation or contact is found by the new name at once, and a
        # rename rewrites no ticket. A word found in a name matches there or
        # in the text; every other word must match the text.
        words = text.split()
        named = {word: q for word in words if (q := _named(word)) is not None}
        match = Q()
        in_text = [word for word in words if word not in named]
        if in_text:
            match &= Q(search_vector=_text_query(" ".join(in_text)))
        for word, in_names in named.items():
            match &= Q(search_vector=_text_query(word)) | in_names
        return match

    def _substrings_match(self, text: str) -> Q:
        # SQLite's LIKE ignores case for Latin letters only; CASEFOLD is
        # Python's, registered on every SQLite connection (helpdesk.sqlite).
        match = Q()
        for word in text.casefold().split():
            in_any = Q(
                Exists(
                    Message.objects.filter(
                        Contains(_casefolded("body"), word), ticket=OuterRef("pk")
                    )
                )
            )
            for field in SUBSTRING_FIELDS:
                in_any |= Q(Contains(_casefolded(field), word))
            match &= in_any
        return match

    def recount_replies(self) -> int:
        """Store how many public support replies each of these tickets has."""
        replies = (
            Message.objects.filter(ticket=OuterRef("pk"), kind=Message.Kind.REPLY)
            .order_by()
            .values("ticket")
            .annotate(count=Count("pk"))
            .values("count")
        )
        return self.update(staff_replies=Coalesce(Subquery(replies), 0))

    def refresh_search_index(
        self, *, message_ids: tuple[int, int] | None = None
    ) -> int:
        """Rebuild `search_vector` of these tickets from their own text: the
        subject, the reference, the e-mail address and every message
        (PostgreSQL only; a no-op elsewhere). Names of the organisation, the
        contact and the licence are searched in their own tables (`search`).

        The services call it after each change to a ticket's text, in the same
        transaction; `manage.py reindex_search` rebuilds it all. A bulk load
        that knows which message ids belong to these tickets passes
        `message_ids` (first, last) so that no index on `ticket_id` is needed.
        """
        connection = connections[self.db]
        if connection.vendor != "postgresql":
            return 0
        ids_sql, params = self.values("pk").query.sql_with_params()
        in_range = "AND m.id BETWEEN %s AND %s" if message_ids else ""
        vector = _search_vector_sql(
            "t2.subject",
            "concat_ws(' ', t2.reference, t2.contact_email)",
            "coalesce(string_agg(m.body, ' ' ORDER BY m.id), '')",
        )
        sql = f"""
            UPDATE {Ticket._meta.db_table} AS t SET search_vector = s.vector
            FROM (
                SELECT t2.id, {vector} AS vector
                FROM {Ticket._meta.db_table} AS t2
                LEFT JOIN {Message._meta.db_table} AS m
                    ON m.ticket_id = t2.id {in_range}
                WHERE t2.id IN ({ids_sql})
                GROUP BY t2.id
            ) AS s
            WHERE s.id = t.id
        """
        with connection.cursor() as cursor:
            cursor.execute(
                sql,
                [
                    *[SEARCH_CONFIG] * 3,
                    SEARCH_TEXT_LIMIT,
                    *(message_ids or ()),
                    *params,
                ],
            )
            return cursor.rowcount

    def open(self) -> TicketQuerySet:
        # Named statuses rather than "not solved", so that the partial index
        # `ticket_open_by_priority` serves it.
        return self.filter(status__in=Ticket.OPEN_STATUSES)

    def unsolved_at(self, moment: datetime.datetime) -> TicketQuerySet:
        """The tickets that were unsolved at `moment`, as it was then (a
        ticket solved before it and reopened after it was solved then).

        Filed before it and, by their last status change before it, still
        new, open or waiting. Only tickets unsolved now or whose status has
        changed since can be such, so the history is read for those alone.
        """
        changed_since = TicketEvent.objects.filter(
            kind=TicketEvent.Kind.STATUS, created_at__gte=moment
        ).values("ticket")
        status_then = (
            TicketEvent.objects.filter(
                ticket=OuterRef("pk"),
                kind=TicketEvent.Kind.STATUS,
                created_at__lt=moment,
            )
            .order_by("-created_at", "-pk")
            .values("new_value")[:1]
        )
        candidates = self.filter(
            Q(status__in=Ticket.OPEN_STATUSES) | Q(pk__in=changed_since),
            created_at__lt=moment,
        )
        return candidates.alias(
            status_then=Coalesce(Subquery(status_then), Value(Ticket.Status.NEW))
        ).filter(status_then__in=Ticket.OPEN_STATUSES)

    def running_sla(self) -> TicketQuerySet:
        """Tickets whose SLA clock runs: new or open (not waiting, not solved)."""
        return self.filter(status__in=[Ticket.Status.NEW, Ticket.Status.OPEN])

    def unassigned(self) -> TicketQuerySet:
        return self.filter(assignee=None)

    def assigned_to(self, user: User) -> TicketQuerySet:
        return self.filter(assignee=user)

    def waiting(self) -> TicketQuerySet:
        return self.filter(status=Ticket.Status.WAITING)

    def breaching(self, *, by: datetime.datetime) -> TicketQuerySet:
        """Running tickets due by `by` (a support-time horizon), overdue included."""
        return self.running_sla().filter(sla_due_at__lte=by)

    def by_sla_due(self) -> TicketQuerySet:
        """The queue's order: soonest resolution deadline first, none last."""
        return self.alias(queue_position=queue_position()).order_by(
            "queue_position", "pk"
        )

    def after_in_queue(self, due: datetime.datetime | None, pk: int) -> TicketQuerySet:
        """The tickets after (due, pk) in `by_sla_due` order: keyset paging, so
        page 1000 costs what page 1 does. A row comparison, `(position, id) >
        (due, pk)`, which PostgreSQL starts the index scan at: tickets filed
        while support is closed share one deadline by the thousand, and
        `position >= due AND (position > due OR id > pk)` walked past all of
        them (Django's own tuple lookup, made for composite keys)."""
        if due is None:
            due = NO_DEADLINE
        return self.alias(queue_position=queue_position()).filter(
            TupleGreaterThan(Tuple(queue_position(), F("pk")), (due, pk))
        )

    def latest_activity_first(self) -> TicketQuerySet:
        """The customer's list order: the latest public activity first."""
        return self.order_by("-last_activity_at", "-pk")

    def active_before(self, at: datetime.datetime, pk: int) -> TicketQuerySet:
        """The tickets after (last_activity_at, pk) in `latest_activity_first`
        order: keyset paging, so the last page of ten thousand costs what page
        1 does (bench/README.md). Written as a range and a condition, for
        PostgreSQL to start the index scan there (moments of public activity
        are rarely shared, unlike the queue's deadlines)."""
        return self.filter(
            Q(last_activity_at__lte=at), Q(last_activity_at__lt=at) | Q(pk__lt=pk)
        )

    def unseen_by_staff(self) -> TicketQuerySet:
        """Tickets whose customer wrote since staff last looked, or that
        staff never looked at."""
        return self.filter(last_customer_message_at__isnull=False).filter(
            Q(staff_seen_at=None) | Q(staff_seen_at__lt=F("last_customer_message_at"))
        )

    def with_new_reply(self) -> TicketQuerySet:
        """Tickets with a public support reply that no customer has seen."""
        return self.filter(last_staff_reply_at__isnull=False).filter(
            Q(customer_seen_at=None) | Q(customer_seen_at__lt=F("last_staff_reply_at"))
        )


class TicketManager(models.Manager.from_queryset(TicketQuerySet)):
    def get_queryset(self) -> TicketQuerySet:
        # The search vector, a kilobyte or more of text a ticket, is for the
        # database's search alone: no page reads it, and a ticket saved whole
        # must not write back a vector read before a reindex.
        return super().get_queryset().defer("search_vector")


class Ticket(models.Model):
    class Status(models.TextChoices):
        NEW = "new", _("New")
        OPEN = "open", _("Open")
        WAITING = "waiting", _("Waiting for customer")
        RESOLVED = "resolved", _("Resolved")
        CLOSED = "closed", _("Closed")

    class Category(models.TextChoices):
        CONFIGURATION = "configuration", _("Product configuration")
        MALFUNCTION = "malfunction", _("Malfunction")
        LICENSING = "licensing", _("Licensing and activation")
        OTHER = "other", _("Other")

    class Priority(models.TextChoices):
        LOW = "low", _("Low")
        NORMAL = "normal", _("Normal")
        HIGH = "high", _("High")
        CRITICAL = "critical", _("Critical")

    class Channel(models.TextChoices):
        WEB = "web", _("Portal")
        EMAIL = "email", _("E-mail")
        TELEGRAM = "telegram", _("Telegram")
        PHONE = "phone", _("Phone")
        API = "api", _("API")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reference = models.CharField(
        _("reference"), max_length=20, unique=True, editable=False
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="tickets",
        verbose_name=_("organisation"),
    )
    licence = models.ForeignKey(
        Licence,
        on_delete=models.PROTECT,
        related_name="tickets",
        verbose_name=_("licence"),
    )
    contact = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        related_name="tickets",
        verbose_name=_("contact"),
    )
    cc = models.ManyToManyField(
        User,
        blank=True,
        related_name="copied_tickets",
        verbose_name=_("copied contacts"),
    )
    contact_email = models.EmailField(_("contact e-mail"))
    contact_phone = PhoneNumberField(_("contact phone"), blank=True)
    subject = models.CharField(_("subject"), max_length=200)
    category = models.CharField(_("category"), max_length=16, choices=Category)
    priority = models.CharField(
        _("priority"), max_length=16, choices=Priority, default=Priority.NORMAL
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status, default=Status.NEW, db_index=True
    )
    channel = models.CharField(
        _("channel"), max_length=16, choices=Channel, default=Channel.WEB
    )
    assignee = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_tickets",
        verbose_name=_("assignee"),
        limit_choices_to={"is_staff": True},
    )
    group = models.ForeignKey(
        SupportGroup,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tickets",
        verbose_name=_("group"),
    )
    tags = models.ManyToManyField(
        Tag, blank=True, related_name="tickets", verbose_name=_("tags")
    )
    # The tags' names, sorted and joined by ", ": kept by `tag_ticket` beside
    # `tags` (which filters) so that pages show them without another query.
    tag_names = models.CharField(_("tags"), max_length=500, blank=True, editable=False)
    # Filed although the subscription was not active: who allowed it and why.
    licence_override_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("filing without support allowed by"),
    )
    licence_override_reason = models.TextField(
        _("reason for filing without support"), blank=True
    )
    created_at = models.DateTimeField(_("created"), default=now, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    last_customer_message_at = models.DateTimeField(
        _("customer's last message"), null=True, blank=True
    )
    # When staff last opened the ticket after the customer had written
    # (`mark_ticket_seen`): the queue marks "customer answered" while the
    # customer's last message is newer. Empty until staff first look.
    staff_seen_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The latest activity a customer sees: a public message by either side, a
    # status change, a merge. Written by the services that make those
    # (`open_ticket`, `add_message`, `_set_status`, `merge_ticket`); the
    # customer's list sorts by it and shows it. Not `updated_at`, which
    # internal notes, priority or assignee changes also move, and later
    # replies do not.
    last_activity_at = models.DateTimeField(_("last activity"), default=now)
    # Support's latest public reply (`add_message`), and when a customer last
    # opened the ticket after one (`mark_ticket_seen`, or their own message):
    # the list's "New reply" marker compares the two.
    last_staff_reply_at = models.DateTimeField(null=True, blank=True)
    customer_seen_at = models.DateTimeField(null=True, blank=True)
    # When the ticket was solved: resolved, or closed without being resolved
    # first; cleared when it reopens.
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    # When the status last changed (`_set_status`): the escalations' clock of
    # a ticket waiting for the customer starts here.
    status_changed_at = models.DateTimeField(default=now)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # The resolution deadline while the SLA clock runs (`tickets.sla`); empty
    # while the clock is paused before the target is reached, and once solved.
    # Kept by the services and `manage.py recompute_sla`, so the queue sorts
    # in the database.
    sla_due_at = models.DateTimeField(_("resolution due"), null=True, blank=True)
    # Staff search on PostgreSQL (`TicketQuerySet.search`); kept by
    # `TicketQuerySet.refresh_search_index`, GIN-indexed by migration 0006.
    search_vector = SearchVectorField(null=True, editable=False)
    # A duplicate merged into another ticket: closed, its messages moved there.
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_tickets",
        verbose_name=_("merged into"),
    )
    # What the supervisor dashboard aggregates, stored by `refresh_sla` with
    # every change of the SLA clock (filing, a status change, the first reply,
    # a new priority) and by `manage.py recompute_sla`, so that medians and
    # compliance are indexed aggregates rather than replays of every history.
    # Support time from filing to the first reply, in whole seconds.
    first_response_support_seconds = models.PositiveIntegerField(
        _("first response time (support seconds)"), null=True, blank=True
    )
    # Empty until there is a reply (or a solution), or when no target applies.
    first_response_met = models.BooleanField(
        _("first response within target"), null=True, blank=True
    )
    resolution_met = models.BooleanField(
        _("solved within target"), null=True, blank=True
    )
    # Support time the clock ran from filing to the solution, pauses left
    # out; empty while the ticket is unsolved.
    resolution_support_seconds = models.PositiveIntegerField(
        _("resolution time (support seconds)"), null=True, blank=True
    )
    # Support's public replies: one more with each (`services.add_message`),
    # counted again from the messages when they move to another ticket
    # (`TicketQuerySet.recount_replies`: a merge, the demo's bulk load).
    staff_replies = models.PositiveIntegerField(_("support replies"), default=0)

    objects = TicketManager()

    # The workflow: which status may follow which. `tickets.services` is the
    # only code that moves a ticket along it.
    ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
        Status.NEW: frozenset(
            {Status.OPEN, Status.WAITING, Status.RESOLVED, Status.CLOSED}
        ),
        Status.OPEN: frozenset({Status.WAITING, Status.RESOLVED, Status.CLOSED}),
        Status.WAITING: frozenset({Status.OPEN, Status.RESOLVED, Status.CLOSED}),
        Status.RESOLVED: frozenset({Status.OPEN, Status.CLOSED}),
        Status.CLOSED: frozenset({Status.OPEN}),
    }
    OPEN_STATUSES = (Status.NEW, Status.OPEN, Status.WAITING)

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        ordering = ["-created_at"]
        permissions = [("view_dashboard", _("Can see the supervisor dashboard"))]
        indexes = [
            # An organisation's tickets, newest first: a customer's search
            # ranks the newest matches among them (`search`).
            models.Index(
                fields=["organisation", "-created_at", "-id"],
                name="ticket_org_newest",
            ),
            # The customer's ticket list: an organisation's tickets, latest
            # activity first, every page a range of this index (`active_before`).
            models.Index(
                fields=["organisation", "-last_activity_at", "-id"],
                name="ticket_org_activity",
            ),
            # The staff ticket page's requester context (`_requester_context`
            # in tickets/views/customer.py): the organisation's other open
            # tickets and the contact's latest, five rows of an index each
            # rather than every ticket of a big organisation or contact.
            models.Index(
                fields=["organisation", "-last_activity_at", "-id"],
                condition=Q(status__in=["new", "open", "waiting"]),
                name="ticket_org_open_activity",
            ),
            models.Index(
                fields=["contact", "-last_activity_at", "-id"],
                name="ticket_contact_activity",
            ),
            # The API's ticket list for staff tokens: every ticket, latest
            # activity first, every page a range of this index (`active_before`).
            models.Index(
                fields=["-last_activity_at", "-id"],
                name="ticket_activity",
            ),
            # A group's queue: its unsolved tickets in `by_sla_due` order.
            models.Index(
                F("group"),
                queue_position(),
                F("id"),
                name="ticket_open_queue_by_group",
                condition=Q(status__in=["new", "open", "waiting"]),
            ),
            # The escalations' sweep (`automation.escalations`): each clock
            # is a range of one of these, its start up to the due moment.
            # Waiting for the customer, since the status was set:
            models.Index(
                fields=["status", "status_changed_at"],
                condition=Q(status__in=["new", "open", "waiting"]),
                name="ticket_open_status_since",
            ),
            # No first answer, or unassigned, since filing:
            models.Index(
                fields=["created_at"],
                condition=Q(status__in=["new", "open"]),
                name="ticket_active_created",
            ),
            # The customer's last message unanswered:
            models.Index(
                fields=["last_customer_message_at"],
                condition=Q(status__in=["new", "open"]),
                name="ticket_active_customer_wrote",
            ),
            # Deadlines due by an instant (`breaching`, the SLA warnings).
            models.Index(fields=["sla_due_at", "id"], name="ticket_sla_queue"),
            # Search by a phone number (stored in E.164).
            models.Index(fields=["contact_phone"], name="ticket_contact_phone"),
            # The dashboard's open tickets (OPEN_STATUSES) by status and
            # priority: a scan of the few unsolved rows, from the index alone.
            models.Index(
                fields=["status", "priority"],
                condition=Q(status__in=["new", "open", "waiting"]),
                name="ticket_open_by_priority",
            ),
            # The queue's changes poll (`tickets.views.staff.queue_changes`):
            # unsolved tickets updated since a page was drawn, a short range
            # at the end of this index rather than every unsolved row.
            models.Index(
                fields=["updated_at"],
                condition=Q(status__in=["new", "open", "waiting"]),
                name="ticket_open_changes",
            ),
            # The dashboard's tickets per day and channel, from the index alone.
            models.Index(fields=["created_at", "channel"], name="ticket_daily_channel"),
            # The dashboard's first responses per week: median and compliance.
            models.Index(
                fields=[
                    "first_response_at",
                    "first_response_support_seconds",
                    "first_response_met",
                ],
                condition=Q(first_response_at__isnull=False),
                name="ticket_first_responses",
            ),
            # The dashboard's solved tickets per week: resolution compliance.
            models.Index(
                fields=["resolved_at", "resolution_met"],
                condition=Q(resolved_at__isnull=False),
                name="ticket_solutions",
            ),
            # The staff queue: unsolved tickets in `by_sla_due` order, every
            # page a range of this index (`after_in_queue`).
            models.Index(
                queue_position(),
                F("id"),
                name="ticket_open_queue",
                # As `open()` puts it, so that the planner sees the match.
                condition=Q(status__in=["new", "open", "waiting"]),
            ),
            # The queue filtered by priority, or priority and category: a range
            # of this index, where `ticket_open_queue` was walked past the
            # other priorities' tickets (693 rows for 26 at a million tickets).
            models.Index(
                F("priority"),
                F("category"),
                queue_position(),
                F("id"),
                name="ticket_open_queue_by_kind",
                condition=Q(status__in=["new", "open", "waiting"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.subject}"

    def get_absolute_url(self) -> str:
        return reverse("tickets:detail", args=[self.reference])

    def can_move_to(self, status: str) -> bool:
        return status in self.ALLOWED_TRANSITIONS.get(self.status, frozenset())

    @property
    def was_answered(self) -> bool:
        """Whether support has replied to the customer (not a note): only
        then is there help to rate."""
        return self.first_response_at is not None

    @staticmethod
    def customer_answered_since_seen(
        last_customer_message_at: datetime.datetime | None,
        staff_seen_at: datetime.datetime | None,
    ) -> bool:
        """The queue's "customer answered" marker: the customer wrote after
        staff had looked (a ticket nobody looked at yet is new, not answered).
        Static, so that the queue can ask it of the row values it reads."""
        return (
            staff_seen_at is not None
            and last_customer_message_at is not None
            and last_customer_message_at > staff_seen_at
        )

    @property
    def unseen_by_staff(self) -> bool:
        """The Python side of `TicketQuerySet.unseen_by_staff`."""
        return self.last_customer_message_at is not None and (
            self.staff_seen_at is None
            or self.staff_seen_at < self.last_customer_message_at
        )

    @property
    def has_new_reply(self) -> bool:
        """Whether support replied since a customer last opened the ticket
        (the Python side of `TicketQuerySet.with_new_reply`)."""
        return self.last_staff_reply_at is not None and (
            self.customer_seen_at is None
            or self.customer_seen_at < self.last_staff_reply_at
        )

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED

    def awaits_rating(self) -> bool:
        """Whether the customer is asked to rate the help, in any channel:
        closed, answered by support, and not rated yet (`rate_ticket`'s
        rules, so a question is never asked that it would refuse)."""
        return (
            self.is_closed
            and self.was_answered
            and not SatisfactionRating.objects.filter(ticket=self).exists()
        )


class TicketLink(models.Model):
    """Two tickets about the same thing, seen by staff only (they may belong to
    different organisations). Stored in both directions, so either ticket
    finds the other with one filter."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="links")
    related = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=now)

    class Meta:
        verbose_name = _("related ticket")
        verbose_name_plural = _("related tickets")
        ordering = ["related__reference"]
        constraints = [
            models.UniqueConstraint(
                fields=["ticket", "related"], name="ticket_link_once"
            ),
            models.CheckConstraint(
                condition=~Q(ticket=F("related")), name="ticket_link_not_itself"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} ↔ {self.related_id}"


class SavedFilter(models.Model):
    """A queue view an agent named and keeps: the queue's query string."""

    owner = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="saved_filters"
    )
    name = models.CharField(_("name"), max_length=80)
    query = models.CharField(_("query"), max_length=1000)
    created_at = models.DateTimeField(_("created"), default=now)

    class Meta:
        verbose_name = _("saved filter")
        verbose_name_plural = _("saved filters")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "name"], name="saved_filter_name_once"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class TicketCounter(models.Model):
    """The last reference number given out in a year; locked while a ticket is numbered."""

    year = models.PositiveIntegerField(primary_key=True)
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last_number}"


class MessageQuerySet(models.QuerySet["Message"]):
    def public(self) -> MessageQuerySet:
        """What the customer may read: everything but internal notes."""
        return self.exclude(kind=Message.Kind.INTERNAL_NOTE)

    def visible_to(self, user: User) -> MessageQuerySet:
        messages = self.filter(ticket__in=Ticket.objects.visible_to(user))
        return messages if user.is_staff else messages.public()


class Message(models.Model):
    class Kind(models.TextChoices):
        CUSTOMER = "customer", _("Customer message")
        REPLY = "reply", _("Support reply")
        INTERNAL_NOTE = "internal_note", _("Internal note")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="messages"
    )
    author = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("author")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind)
    body = models.TextField(_("text"))
    channel = models.CharField(
        _("channel"), max_length=16, choices=Ticket.Channel, default=Ticket.Channel.WEB
    )
    created_at = models.DateTimeField(_("created"), default=now, db_index=True)

    objects = MessageQuerySet.as_manager()

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.ticket.reference} {self.get_kind_display()} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def is_internal(self) -> bool:
        return self.kind == self.Kind.INTERNAL_NOTE

    def quote_parts(self) -> tuple[str, str]:
        """(new text, quoted history) of the message: an e-mailed one carries
        the history it answers, which the page folds away and an article
        written from the ticket leaves out."""
        if self.channel != Ticket.Channel.EMAIL:
            return self.body, ""
        return split_quoted(self.body)


def attachment_path(instance: Attachment, filename: str) -> str:
    # Stored under a generated name: the uploaded name never reaches the disk.
    return f"attachments/{now():%Y/%m}/{uuid.uuid4().hex}"


class StoredFile(models.Model):
    """A file someone uploaded, stored under a generated name (`file`, which
    each kind declares with its folder) and served by `tickets.downloads`:
    a message's attachment, a knowledge base article's file."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size"))
    content_type = models.CharField(_("type"), max_length=100)
    created_at = models.DateTimeField(_("created"), default=now)

    class Meta:
        abstract = True
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_removed(self) -> bool:
        """Whether the file was removed while its row stays (an attachment's
        retention or erasure); an article's file goes with its row."""
        return False

    @classmethod
    def store(cls, upload: File, **owner: object) -> Self:
        """Save the upload as a new row of this kind with its owner (the
        message, the article). The type comes from the bytes, not from the
        name or the sender's claim."""
        upload.seek(0)
        content_type = stored_content_type(upload.name, upload.read(HEAD_BYTES))
        upload.seek(0)
        stored = cls(
            **owner,
            original_name=upload.name[:255],
            size=upload.size,
            content_type=content_type,
        )
        stored.file.save(upload.name, upload, save=False)
        stored.save()
        return stored

    @property
    def extension(self) -> str:
        return os.path.splitext(self.original_name)[1].lower()

    @property
    def is_image(self) -> bool:
        return self.content_type in settings.TICKET_INLINE_IMAGE_TYPES


class Attachment(StoredFile):
    class Removal(models.TextChoices):
        RETENTION = "retention", _("Kept no longer than the retention period")
        ERASURE = "erasure", _("Erased with its author's personal data")

    message = models.ForeignKey(
        Message,
        on_delete=models.CASCADE,
        related_name="attachments",
        verbose_name=_("message"),
    )
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)
    # A file removed (`privacy`) leaves its row, so that the ticket says so
    # where the link was: why, when, and after how many days of a closed
    # ticket (retention).
    removed_at = models.DateTimeField(_("file removed"), null=True, blank=True)
    removal = models.CharField(
        _("why removed"), max_length=16, choices=Removal, blank=True, db_default=""
    )
    kept_days = models.PositiveIntegerField(_("kept for days"), null=True, blank=True)

    class Meta(StoredFile.Meta):
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def get_absolute_url(self) -> str:
        return reverse(
            "tickets:attachment", args=[self.message.ticket.reference, self.code]
        )

    @property
    def is_removed(self) -> bool:
        return self.removed_at is not None


class KeptUpload(models.Model):
    """A file chosen in a form that came back with an error, kept so that
    nobody has to choose it again: attached when the form goes through
    (`services.open_ticket`, `services.add_message`), otherwise deleted after
    a day (`services.forget_kept_uploads`). Only its owner can use it."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    file = models.FileField(_("file"), upload_to="kept/%Y/%m/%d/", max_length=200)
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size"))
    created_at = models.DateTimeField(_("created"), default=now, db_index=True)

    class Meta:
        verbose_name = _("kept upload")
        verbose_name_plural = _("kept uploads")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.original_name


# How `TicketEvent.via` starts when an automation rule made the change
# (`automation.engine`), where the API writes its token's name.
RULE_MARK = "rule#"


def _unsolved() -> list[str]:
    return list(Ticket.OPEN_STATUSES)


class TicketEventQuerySet(models.QuerySet["TicketEvent"]):
    """Status changes that cross the line between unsolved (new, open,
    waiting) and solved (resolved, closed): the backlog's ins and outs."""

    LEAVES = "leaves"
    RETURNS = "returns"

    @staticmethod
    def crossing(way: str) -> Q:
        """A status change that takes a ticket out of the backlog (LEAVES:
        solved) or brings it back (RETURNS: reopened)."""
        unsolved = _unsolved()
        if way == TicketEventQuerySet.LEAVES:
            return Q(old_value__in=unsolved) & ~Q(new_value__in=unsolved)
        return ~Q(old_value__in=unsolved) & Q(new_value__in=unsolved)

    def crossings(self) -> TicketEventQuerySet:
        return self.filter(
            self.crossing(self.LEAVES) | self.crossing(self.RETURNS),
            kind=TicketEvent.Kind.STATUS,
        )


class TicketEvent(models.Model):
    """A change to a ticket: its history, and what notifications are sent from."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Ticket filed")
        MESSAGE = "message", _("Message")
        STATUS = "status", _("Status changed")
        PRIORITY = "priority", _("Priority changed")
        CATEGORY = "category", _("Category changed")
        ASSIGNEE = "assignee", _("Assignee changed")
        LICENCE = "licence", _("Licence changed")
        ORGANISATION = "organisation", _("Organisation changed")
        RATED = "rated", _("Rated")
        MERGED = "merged", _("Merged")
        LINKED = "linked", _("Related ticket linked")
        UNLINKED = "unlinked", _("Related ticket unlinked")
        GROUP = "group", _("Group changed")
        TAGS = "tags", _("Tags changed")
        AUTOMATION = "automation", _("Automation")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind)
    old_value = models.CharField(_("old value"), max_length=300, blank=True)
    new_value = models.CharField(_("new value"), max_length=300, blank=True)
    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, null=True, blank=True
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created"), default=now, db_index=True)
    notified_at = models.DateTimeField(null=True, blank=True)
    # The integration token a change was made through, if any (the actor is
    # then the integration's user): set by the API for its requests.
    via = models.CharField(
        _("through"),
        max_length=200,
        blank=True,
        default=audit.current_via,
        db_default="",
    )

    objects = TicketEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("ticket event")
        verbose_name_plural = _("ticket events")
        ordering = ["created_at", "pk"]
        indexes = [
            # The reports' backlog reads the status changes since a day
            # (`reports.figures.backlog`): from this index alone.
            models.Index(
                fields=["created_at"],
                include=["old_value", "new_value"],
                condition=Q(kind="status"),
                name="ticketevent_status_changes",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ticket.reference}: {self.get_kind_display()}"

    # What `old_value` and `new_value` hold, by kind: a choice's code (status,
    # priority, category), the id of a person or a licence (assignee,
    # licence), a reference (merged, linked, unlinked), a score (rated).

    @property
    def via_rule(self) -> str:
        """The automation rule that made the change, as its record names it
        (`RULE_MARK`, then e.g. "Trigger “Escalate VIP”"), or ""."""
        if self.via.startswith(RULE_MARK):
            return self.via.partition(" ")[2]
        return ""

    def get_old_status_display(self) -> str:
        return self._label(self.old_value)

    def get_new_status_display(self) -> str:
        return self._label(self.new_value)

    def _label(self, value: str) -> str:
        choices = _CHOICES_OF_KIND.get(self.kind)
        if choices is not None and value in choices.values:
            return str(choices(value).label)
        return value

    @classmethod
    def name_values(cls, events: Sequence[TicketEvent]) -> None:
        """Set `old_shown` and `new_shown` on each event: the human name of
        what its values stand for, in the active language, "—" for nothing.
        One query each for the people, the licences and the groups named."""
        wanted: dict[type[models.Model], set[int]] = {
            User: set(),
            Licence: set(),
            SupportGroup: set(),
        }
        for event in events:
            model = _MODEL_OF_KIND.get(event.kind)
            if model is not None:
                wanted[model] |= {
                    int(value)
                    for value in (event.old_value, event.new_value)
                    if value.isdigit()
                }
        # An empty `pk__in` runs no query.
        names = {
            User: {
                str(user.pk): user.get_full_name()
                for user in User.objects.filter(pk__in=wanted[User]).only(
                    "full_name", "email"
                )
            },
            Licence: {
                str(licence.pk): str(licence)
                for licence in Licence.objects.filter(pk__in=wanted[Licence]).only(
                    "number", "product"
                )
            },
            SupportGroup: {
                str(pk): name
                for pk, name in SupportGroup.objects.filter(
                    pk__in=wanted[SupportGroup]
                ).values_list("pk", "name")
            },
        }
        for event in events:
            model = _MODEL_OF_KIND.get(event.kind)
            for attribute, value in (
                ("old_shown", event.old_value),
                ("new_shown", event.new_value),
            ):
                shown = names[model].get(value, value) if model else event._label(value)
                setattr(event, attribute, shown or "—")


_CHOICES_OF_KIND = {
    TicketEvent.Kind.STATUS: Ticket.Status,
    TicketEvent.Kind.PRIORITY: Ticket.Priority,
    TicketEvent.Kind.CATEGORY: Ticket.Category,
}
_MODEL_OF_KIND: dict[str, type[models.Model]] = {
    TicketEvent.Kind.ASSIGNEE: User,
    TicketEvent.Kind.LICENCE: Licence,
    TicketEvent.Kind.GROUP: SupportGroup,
}


class SatisfactionRatingQuerySet(models.QuerySet["SatisfactionRating"]):
    def counted(self) -> SatisfactionRatingQuerySet:
        """The ratings satisfaction figures count: of tickets support
        answered (a rating of silence says nothing about the help)."""
        return self.filter(ticket__first_response_at__isnull=False)


class SatisfactionRating(models.Model):
    ticket = models.OneToOneField(
        Ticket,
        on_delete=models.CASCADE,
        related_name="rating",
        verbose_name=_("ticket"),
    )
    score = models.PositiveSmallIntegerField(_("score"))
    comment = models.TextField(_("comment"), blank=True)
    rated_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("rated by"),
    )
    # Where the customer answered: the portal, the closing e-mail's links or
    # Telegram's buttons (whether asking outside the portal is worth it).
    channel = models.CharField(
        _("channel"),
        max_length=16,
        choices=Ticket.Channel,
        default=Ticket.Channel.WEB,
    )
    created_at = models.DateTimeField(_("created"), default=now)

    objects = SatisfactionRatingQuerySet.as_manager()

    class Meta:
        verbose_name = _("satisfaction rating")
        verbose_name_plural = _("satisfaction ratings")
        constraints = [
            models.CheckConstraint(
                condition=Q(score__gte=1, score__lte=5), name="rating_score_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ticket.reference}: {self.score}"

    @staticmethod
    def is_low(score: int) -> bool:
        """A score the supervisors are told of (`LOW_RATING_THRESHOLD`)."""
        return score <= settings.LOW_RATING_THRESHOLD


class NotificationSettings(models.Model):
    """What a person wants to hear about by e-mail; absent means everything."""

    user = models.OneToOneField(
        User, on_delete=models.CASCADE, related_name="notification_settings"
    )
    on_reply = models.BooleanField(_("when support replies"), default=True)
    on_status_change = models.BooleanField(
        _("when a ticket's status changes"), default=True
    )
    on_customer_message = models.BooleanField(
        _("when a customer writes in a ticket assigned to me (staff)"), default=True
    )

    class Meta:
        verbose_name = _("notification settings")
        verbose_name_plural = _("notification settings")

    def __str__(self) -> str:
        return str(self.user)


class CannedResponse(models.Model):
    """A prepared reply staff insert and edit; placeholders are filled per ticket."""

    title = models.CharField(_("title"), max_length=200)
    body_ru = models.TextField(
        _("text in Russian"),
        help_text=_(
            "Placeholders: {customer_name}, {licence_number}, {support_ends_on}, {reference}."
        ),
    )
    body_en = models.TextField(_("text in English"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=now, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("canned response")
        verbose_name_plural = _("canned responses")
        ordering = ["title", "pk"]

    def __str__(self) -> str:
        return self.title

    def body_in(self, language: str) -> str:
        """The text in a language, or the other one when that is empty."""
        if language == "en":
            return self.body_en or self.body_ru
        return self.body_ru or self.body_en
