from __future__ import annotations

import datetime
from collections.abc import Sequence
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.timezone import now
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts import directory
from accounts.decorators import staff_required
from accounts.models import Licence
from schedule import current as support_hours
from tickets import cached_lists, keyset, presence, services
from tickets import conversation as conversations
from tickets.cached_lists import (
    active_canned_responses,
    macros_for,
    sla_targets_by_priority,
    staff_by_pk,
)
from tickets.canned import filled_responses
from tickets.downloads import attachment_response
from tickets.form_html import fields_html
from tickets.forms import (
    PRIORITY_HELP,
    CopiedContactsForm,
    NotificationSettingsForm,
    RatingForm,
    ReplyForm,
    StaffReplyForm,
    StaffTicketForm,
    TicketForm,
    TicketPropertiesForm,
)
from tickets.markdown import render_markdown
from tickets.models import (
    Attachment,
    Macro,
    Message,
    NotificationSettings,
    Ticket,
    TicketEvent,
    TicketQuerySet,
)
from tickets.sla import sla_state

TICKETS_PER_PAGE = 25


def get_ticket_for_user(
    user,
    reference: str,
    related: Sequence[str] = ("organisation", "licence", "contact", "assignee"),
) -> Ticket:
    """The ticket if the user may see it; 404 otherwise, so existence is not revealed.

    `related`: the relations read in the same query."""
    return get_object_or_404(
        Ticket.objects.visible_to(user).select_related(*related),
        reference=reference,
    )


# What the list shows, not every column of three tables (an organisation's
# list pages through ten thousand tickets).
TICKET_LIST_COLUMNS = (
    "reference",
    "subject",
    "status",
    "last_activity_at",
    "last_staff_reply_at",
    "customer_seen_at",
    "licence__number",
    "contact__full_name",
)
TICKETS_FOUND = 50


def ticket_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    text = request.GET.get("q", "").strip()[:200]
    tickets = Ticket.objects.visible_to(request.user)
    if status == "open":
        tickets = tickets.open()
    elif status in Ticket.Status.values:
        tickets = tickets.filter(status=status)
    if text:
        # The best matches among what this person may see, on one page.
        found = list(
            tickets.search(text)
            .select_related("licence", "contact")
            .only(*TICKET_LIST_COLUMNS)[:TICKETS_FOUND]
        )
        return render(
            request,
            "tickets/ticket_list.html",
            {"tickets": found, "status": status, "statuses": Ticket.Status, "q": text},
        )
    tickets = (
        tickets.select_related("licence", "contact")
        .only(*TICKET_LIST_COLUMNS)
        .latest_activity_first()
    )
    query = request.GET.copy()
    query.pop("after", None)
    first_url = next_url = ""
    after = keyset.parse(request.GET.get("after", ""))
    if after and after[0]:
        tickets = tickets.active_before(*after)
        first_url = f"?{query.urlencode()}"
    page = list(tickets[: TICKETS_PER_PAGE + 1])
    if len(page) > TICKETS_PER_PAGE:
        last = page[TICKETS_PER_PAGE - 1]
        query["after"] = keyset.cursor(last.last_activity_at, last.pk)
        next_url = f"?{query.urlencode()}"
    return render(
        request,
        "tickets/ticket_list.html",
        {
            "tickets": page[:TICKETS_PER_PAGE],
            "status": status,
            "statuses": Ticket.Status,
            "first_url": first_url,
            "next_url": next_url,
        },
    )


def ticket_create(request: HttpRequest) -> HttpResponse:
    if request.user.is_staff or request.user.membership_or_none is None:
        raise PermissionDenied
    if request.method != "POST":
        closed = services.filing_closed(request.user)
        if closed is not None:
            # Said before anyone fills in the form (a post still gets the
            # form back with the refusal and everything typed).
            return render(request, "tickets/filing_closed.html", {"licences": closed})
    form = TicketForm(request.POST or None, request.FILES or None, contact=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            ticket = services.open_ticket(
                contact=request.user,
                licence=data["licence"],
                subject=data["subject"],
                description=data["description"],
                category=data["category"],
                priority=data["priority"],
                contact_email=data["contact_email"],
                contact_phone=data["contact_phone"],
                attachments=data["attachments"],
                kept=data["kept"],
                cc=data["cc"],
            )
        except services.TicketError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _(
                    "Ticket %(reference)s has been filed. We have sent a confirmation to %(email)s."
                )
                % {"reference": ticket.reference, "email": ticket.contact_email},
            )
            return redirect(ticket)
    form.keep_chosen_files()
    return render(
        request,
        "tickets/ticket_form.html",
        {
            "form": form,
            "priority_help": [
                (Ticket.Priority(p).label, text) for p, text in PRIORITY_HELP.items()
            ],
            "support_status": support_hours.status(now()),
        },
    )


def ticket_detail(request: HttpRequest, reference: str) -> HttpResponse:
    # Its organisation, licence, contact and assignee come from caches below:
    # four joins fewer, which cost more to compile and to plan than to run.
    ticket = get_ticket_for_user(request.user, reference, related=("rating",))
    staff = request.user.is_staff
    form_class = StaffReplyForm if staff else ReplyForm
    form = form_class(request.POST or None, request.FILES or None, owner=request.user)
    if staff and request.POST.get("action") == "apply_macro" and form.is_valid():
        # Without JavaScript: the macro sets its properties now and its text
        # joins what was typed, to be read and sent.
        if _apply_chosen_macro(request, ticket, form):
            ticket = get_ticket_for_user(request.user, reference, related=("rating",))
    elif (
        request.method == "POST"
        and form.is_valid()
        and not (staff and form.check_collision(ticket, request.user))
    ):
        data = form.cleaned_data
        try:
            if staff:
                services.send_staff_message(
                    ticket,
                    by=request.user,
                    body=data["body"],
                    internal=data["kind"] == StaffReplyForm.NOTE,
                    phone_call=data["kind"] == StaffReplyForm.PHONE,
                    attachments=data["attachments"],
                    kept=data["kept"],
                    then_status=data["then_status"],
                    macro=form.chosen_macro(),
                )
            else:
                services.add_message(
                    ticket,
                    author=request.user,
                    body=data["body"],
                    attachments=data["attachments"],
                    kept=data["kept"],
                )
        except services.TicketError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Your message has been added."))
            return redirect(ticket)
    form.keep_chosen_files()
    # Read only if the conversation is not cached.
    events = (
        TicketEvent.objects.filter(ticket=ticket)
        .exclude(kind__in=[TicketEvent.Kind.MESSAGE, TicketEvent.Kind.CREATED])
        .select_related("actor")
    )
    if not staff:
        events = events.filter(
            kind__in=[TicketEvent.Kind.STATUS, TicketEvent.Kind.MERGED]
        )
    # Joined to the ticket; the reverse relation raises when there is none.
    rating = getattr(ticket, "rating", None)
    licence = _fill_relations_from_caches(ticket)
    support_ends_on = licence.support_ends_on
    # The replies since a customer last looked are marked new on this page,
    # then count as seen.
    new_since = None
    if ticket.has_new_reply and not staff:
        new_since = ticket.customer_seen_at or ticket.created_at
    conversation = conversations.conversation(
        ticket, events, reader=request.user, new_since=new_since
    )
    services.mark_ticket_seen(ticket, by=request.user)
    workspace = (
        _staff_workspace(
            request,
            ticket,
            conversation,
            support_ends_on,
        )
        if staff
        else {"first_answer_due": _first_answer_due(ticket, conversation)}
    )
    return render(
        request,
        "tickets/ticket_detail.html",
        {
            **workspace,
            "ticket": ticket,
            "conversation": conversation,
            "form": form,
            "reply_fields": _reply_fields(form, staff=staff),
            "rating": rating,
            "cc_form": CopiedContactsForm(
                ticket=ticket, initial={"cc": list(conversation.copied_ids)}
            ),
            "properties_fields": _properties_fields(ticket) if staff else "",
            "rating_form": RatingForm()
            if ticket.is_closed and ticket.was_answered and rating is None and not staff
            else None,
            "support_ends_on": support_ends_on,
            "support_active": licence.subscription_active(),
            "staff": staff,
        },
    )


def _apply_chosen_macro(
    request: HttpRequest, ticket: Ticket, form: StaffReplyForm
) -> bool:
    """Apply the macro (or insert the canned response) chosen in the
    composer; its text joins the typed one, the files chosen are kept.
    Returns whether the ticket changed."""
    choice = form.cleaned_data["macro"]
    if choice is None:
        form.add_error("macro", _("Choose a macro or a canned response."))
        return False
    changed = isinstance(choice, Macro)
    try:
        if changed:
            text = services.apply_macro(ticket, choice, by=request.user)
        else:
            licence = _fill_relations_from_caches(ticket)
            [(_response, text)] = filled_responses(
                [choice], ticket, support_ends_on=licence.support_ends_on
            )
    except services.TicketError as error:
        form.add_error("macro", str(error))
        return False
    # The files chosen are kept as after any error (below, in the view).
    data = form.data.copy()
    typed = data.get("body", "").rstrip()
    data["body"] = f"{typed}\n\n{text}" if typed and text else typed or text
    data["macro"] = ""
    form.data = data
    if changed:
        messages.success(
            request,
            _("The macro “%(title)s” has been applied; its text is in the reply.")
            % {"title": choice.title},
        )
    return changed


def _fill_relations_from_caches(ticket: Ticket) -> Licence:
    """Set the ticket's organisation, licence, contact and assignee from the
    directory and the staff list; what they lack (a licence or a contact who
    has since moved to another organisation, an assignee no longer active) is
    read from the database. Returns the licence, with its subscription periods.
    """
    entry = directory.entry(ticket.organisation_id)
    ticket.organisation = entry.organisation
    licence = entry.licence(ticket.licence_id)
    if licence is None:
        licence = ticket.licence
        prefetch_related_objects([licence], "subscription_periods")
    ticket.licence = licence
    if contact := entry.contact(ticket.contact_id):
        ticket.contact = contact
    if ticket.assignee_id is not None and (
        assignee := staff_by_pk().get(ticket.assignee_id)
    ):
        ticket.assignee = assignee
    return licence


def _reply_fields(form: ReplyForm, *, staff: bool) -> SafeString:
    """The composer's text and files; an empty form's are kept per language."""
    context = {"staff": staff}
    if form.is_bound:
        return render_to_string("tickets/_reply_fields.html", {"form": form, **context})
    return fields_html(
        f"reply:{type(form).__name__}",
        lambda: form,
        "tickets/_reply_fields.html",
        context=context,
    )


def _properties_fields(ticket: Ticket) -> SafeString:
    """The properties form's fields, kept per language, the ticket's values
    and the lists behind the choices (staff, the organisation's licences)."""
    values = (
        ticket.organisation_id,
        ticket.status,
        ticket.priority,
        ticket.category,
        ticket.assignee_id,
        ticket.licence_id,
        ticket.group_id,
        ticket.tag_names,
    )
    return fields_html(
        "properties:" + ":".join(map(str, values)),
        lambda: TicketPropertiesForm(ticket=ticket),
        "tickets/_properties_fields.html",
        also=[cached_lists.staff, cached_lists.groups, directory.entries],
    )


# Older SLA timeline segments are summarised: a ticket open for months has
# one per night.
SLA_SEGMENTS_SHOWN = 40


def _staff_workspace(
    request: HttpRequest,
    ticket: Ticket,
    conversation: conversations.Conversation,
    support_ends_on: datetime.date | None,
) -> dict[str, object]:
    """The staff side of the ticket page: SLA clocks, the composer's macros
    and canned responses, the requester's other tickets, related tickets,
    merging, and who else has the ticket open."""
    state = sla_state(
        ticket,
        conversation.status_changes,
        sla_targets_by_priority(),
        now(),
    )
    return {
        "sla": state,
        "sla_segments": state.segments[-SLA_SEGMENTS_SHOWN:],
        "sla_segments_hidden": max(len(state.segments) - SLA_SEGMENTS_SHOWN, 0),
        "composer_choices": _composer_choices(request, ticket, support_ends_on),
        "then_statuses": [
            (value, label)
            for value, label in Ticket.Status.choices
            # A first reply opens a new ticket anyway.
            if ticket.can_move_to(value)
            and not (ticket.status == Ticket.Status.NEW and value == Ticket.Status.OPEN)
        ],
        **_requester_context(request, ticket),
        **(_related_tickets(ticket) if conversation.ever_related else {}),
        "seen_message": conversation.last_message_pk,
        "presence_text": presence.describe(
            presence.mark(ticket, request.user, replying=False)
        ),
        "presence_seconds": presence.HEARTBEAT_SECONDS,
    }


def _composer_choices(
    request: HttpRequest, ticket: Ticket, support_ends_on: datetime.date | None
) -> list[tuple[str, list[dict[str, str]]]]:
    """The composer's one picker: the agent's macros and the shared ones,
    then the canned responses, each with its text filled for this ticket."""
    staff_names = staff_by_pk()
    group_names = dict(cached_lists.group_choices())
    macros = [
        {
            "value": f"m{macro.pk}",
            "title": macro.title
            if macro.is_shared
            else _("%(title)s (mine)") % {"title": macro.title},
            "text": text,
            "status": macro.status,
            "effects": "; ".join(_macro_effects(macro, staff_names, group_names)),
        }
        for macro, text in filled_responses(
            macros_for(request.user),
            ticket,
            support_ends_on=support_ends_on,
            agent=request.user,
        )
    ]
    canned = [
        {"value": f"c{response.pk}", "title": response.title, "text": text}
        for response, text in filled_responses(
            active_canned_responses(), ticket, support_ends_on=support_ends_on
        )
    ]
    groups = [(_("Macros"), macros), (_("Canned responses"), canned)]
    return [(label, choices) for label, choices in groups if choices]


def _macro_effects(
    macro: Macro, staff_names: dict[int, object], group_names: dict[str, str]
) -> list[str]:
    """What a macro sets besides its text, as the composer tells it."""
    effects = []
    if macro.status:
        effects.append(_("status: %(value)s") % {"value": macro.get_status_display()})
    if macro.priority:
        effects.append(
            _("priority: %(value)s") % {"value": macro.get_priority_display()}
        )
    if macro.category:
        effects.append(
            _("category: %(value)s") % {"value": macro.get_category_display()}
        )
    if macro.assignee_id is not None:
        assignee = staff_names.get(macro.assignee_id)
        name = assignee.get_full_name() if assignee else "—"
        effects.append(_("assignee: %(value)s") % {"value": name})
    if macro.group_id is not None:
        # From the cached list: no query for the macro's group.
        name = group_names.get(str(macro.group_id), "—")
        effects.append(_("group: %(group)s") % {"group": name})
    if macro.tags:
        effects.append(_("tags added: %(tags)s") % {"tags": macro.tags})
    return effects


# The requester's other tickets beside the ticket, each list a few rows.
REQUESTER_TICKETS = 5


def _requester_context(request: HttpRequest, ticket: Ticket) -> dict[str, object]:
    """The organisation's other open tickets and the contact's latest ones:
    two queries of at most five rows each, however many tickets there are
    (the licence and its periods come from the organisation directory). Not
    one UNION of the two: SQLite, which `make run` uses, refuses a LIMIT in
    its parts."""
    others = (
        Ticket.objects.visible_to(request.user)
        .exclude(pk=ticket.pk)
        .latest_activity_first()
        .values("reference", "subject", "status")
    )
    organisation_open = others.filter(organisation_id=ticket.organisation_id).open()
    contact_recent = others.filter(contact_id=ticket.contact_id)
    # Rows as values with their links and labels worked out here: one
    # reverse() and no model instances for up to ten rows (the staff ticket
    # page's target, bench/README.md).
    detail_url = reverse("tickets:detail", args=["REFERENCE"])
    statuses = dict(Ticket.Status.choices)

    def shown(rows: TicketQuerySet) -> list[dict[str, str]]:
        return [
            {
                **row,
                "url": detail_url.replace("REFERENCE", row["reference"]),
                "status_label": statuses[row["status"]],
            }
            for row in rows[:REQUESTER_TICKETS]
        ]

    return {
        "organisation_open": shown(organisation_open),
        "contact_recent": shown(contact_recent),
    }


def _first_answer_due(
    ticket: Ticket, conversation: conversations.Conversation
) -> datetime.datetime | None:
    """When the customer may expect support's first answer: the first-response
    target of the ticket's priority in support hours; None once answered."""
    if ticket.was_answered or ticket.status not in (
        Ticket.Status.NEW,
        Ticket.Status.OPEN,
    ):
        return None
    return sla_state(
        ticket, conversation.status_changes, sla_targets_by_priority(), now()
    ).first_response_due


def _related_tickets(ticket: Ticket) -> dict[str, object]:
    return {
        # Links are stored both ways: the tickets linking to this one are
        # those it links to.
        "linked_tickets": Ticket.objects.filter(links__related=ticket)
        .order_by("reference")
        .values("reference", "subject"),
        "merged_references": ticket.merged_tickets.values_list("reference", flat=True),
    }


@require_POST
def ticket_close(request: HttpRequest, reference: str) -> HttpResponse:
    ticket = get_ticket_for_user(request.user, reference)
    try:
        services.close_ticket(ticket, by=request.user)
    except services.TicketError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The ticket is closed. Thank you!"))
    return redirect(ticket)


@require_POST
def ticket_rate(request: HttpRequest, reference: str) -> HttpResponse:
    ticket = get_ticket_for_user(request.user, reference)
    if request.user.is_staff:
        raise PermissionDenied
    form = RatingForm(request.POST)
    if form.is_valid():
        try:
            services.rate_ticket(
                ticket,
                by=request.user,
                score=form.cleaned_data["score"],
                comment=form.cleaned_data["comment"],
            )
        except services.TicketError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Thank you for your rating."))
    else:
        messages.error(request, _("Choose a score from 1 to 5."))
    return redirect(ticket)


@require_GET
def attachment_download(
    request: HttpRequest, reference: str, code: UUID
) -> HttpResponse:
    ticket = get_ticket_for_user(request.user, reference)
    thread = Message.objects.filter(ticket=ticket)
    if not request.user.is_staff:
        thread = thread.public()
    attachment = get_object_or_404(
        Attachment.objects.filter(message__in=thread), code=code
    )
    return attachment_response(attachment, inline=request.GET.get("inline") == "1")


@require_POST
def markdown_preview(request: HttpRequest) -> HttpResponse:
    return HttpResponse(render_markdown(request.POST.get("text", "")[:50_000]))


@require_POST
def ticket_copied_contacts(request: HttpRequest, reference: str) -> HttpResponse:
    ticket = get_ticket_for_user(request.user, reference)
    form = CopiedContactsForm(request.POST, ticket=ticket)
    if form.is_valid():
        try:
            services.set_copied_contacts(ticket, form.cleaned_data["cc"])
        except services.TicketError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The copied colleagues have been saved."))
    else:
        messages.error(request, _("Choose colleagues from the list."))
    return redirect(ticket)


@require_POST
@staff_required
def ticket_properties(request: HttpRequest, reference: str) -> HttpResponse:
    ticket = get_ticket_for_user(request.user, reference)
    form = TicketPropertiesForm(request.POST, ticket=ticket)
    if form.is_valid():
        try:
            services.update_ticket(ticket, by=request.user, **form.cleaned_data)
        except services.TicketError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The ticket has been updated."))
    else:
        messages.error(
            request,
            _("Check the ticket's details: %(errors)s")
            % {"errors": form.errors.as_text()},
        )
    return redirect(ticket)


@staff_required
def ticket_create_for_customer(request: HttpRequest) -> HttpResponse:
    """Staff file a ticket for a customer who called, wrote or chatted."""
    form = StaffTicketForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        description = data["description"]
        if data["channel"] == Ticket.Channel.PHONE:
            description = services.taken_by_phone(description, by=request.user)
        try:
            ticket = services.open_ticket(
                contact=data["contact"],
                licence=data["licence"],
                subject=data["subject"],
                description=description,
                category=data["category"],
                priority=data["priority"],
                channel=data["channel"],
                contact_phone=data["contact_phone"],
                filed_by=request.user,
                override_reason=data["override_reason"],
            )
        except services.TicketError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("Ticket %(reference)s has been filed.")
                % {"reference": ticket.reference},
            )
            return redirect(ticket)
    return render(request, "tickets/staff_ticket_form.html", {"form": form})


def notification_settings(request: HttpRequest) -> HttpResponse:
    preferences = NotificationSettings.objects.filter(
        user=request.user
    ).first() or NotificationSettings(user=request.user)
    form = NotificationSettingsForm(request.POST or None, instance=preferences)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your e-mail preferences have been saved."))
        return redirect("tickets:notification_settings")
    return render(request, "tickets/notification_settings.html", {"form": form})
