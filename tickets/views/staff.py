"""The staff queue: views, filters, SLA clocks, "Take" and bulk changes."""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass
from urllib.parse import urlsplit

from django import forms
from django.contrib import messages
from django.db.models import Count, Max
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseNotModified,
    JsonResponse,
    QueryDict,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import parse_etags, url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString
from django.utils.timesince import TIME_STRINGS, timesince
from django.utils.timezone import now
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from accounts.decorators import staff_required
from schedule import current as support_hours
from tickets import cached_lists, keyset, services
from tickets import presence as ticket_presence
from tickets.cached_lists import group_ids_of, staff_choices
from tickets.form_html import digest, fields_html
from tickets.forms import (
    BulkActionForm,
    QueueFilterForm,
    SavedFilterForm,
    TicketReferenceForm,
)
from tickets.models import SEARCH_RANKED_MATCHES, SavedFilter, Ticket, TicketQuerySet
from tickets.sla import Clock, breaching_horizon, clock
from tickets.views.customer import get_ticket_for_user

QUEUE_PAGE_SIZE = 25

# What a queue row shows and its cursor needs: each column read costs its
# compiling and converting, 26 rows a page (bench/README.md).
# What a queue row shows, read as values: model instances of 26 tickets, their
# organisations and assignees took a quarter of the page's time.
QUEUE_COLUMNS = (
    "pk",
    "reference",
    "subject",
    "priority",
    "status",
    "sla_due_at",
    "last_customer_message_at",
    "staff_seen_at",
    "assignee_id",
    "organisation__name",
    "assignee__full_name",
    "assignee__email",
    "group_id",
    "tag_names",
)

# The queue's tabs, in the order shown; "open" is the default.
QUEUE_VIEWS = {
    "open": gettext_lazy("All open"),
    "unassigned": gettext_lazy("Unassigned"),
    "mine": gettext_lazy("Mine"),
    "my_groups": gettext_lazy("My groups"),
    "waiting": gettext_lazy("Waiting for customer"),
    "breaching": gettext_lazy("Breaching SLA"),
    "all": gettext_lazy("All, solved too"),
}


def _filter_fields(query: QueryDict, filters: QueueFilterForm) -> SafeString:
    """The filter bar's fields, kept per language, values sent, staff list
    and groups."""
    sent = digest((name, query.getlist(name)) for name in filters.fields)
    return fields_html(
        f"queue-filters:{sent}",
        lambda: filters,
        also=[cached_lists.staff, cached_lists.groups],
    )


def _bulk_fields(request: HttpRequest, staff: list[tuple[str, str]]) -> SafeString:
    """The bulk bar's fields, empty, kept per language and agent (the macros
    offered are theirs and the shared ones)."""
    return fields_html(
        f"queue-bulk:{request.user.pk}",
        lambda: BulkActionForm(
            tickets=Ticket.objects.none(), user=request.user, staff=staff
        ),
        "tickets/_bulk_fields.html",
        also=[cached_lists.staff, cached_lists.macros, cached_lists.groups],
    )


@dataclass(frozen=True, slots=True)
class _TimeString:
    """One of `timesince`'s texts ("3 hours"), translated once per process,
    language and number: a queue page asks for up to fifty, and each costs
    Django a lookup of the plural form."""

    name: str

    def __mod__(self, values: dict[str, int]) -> str:
        return _time_string(get_language(), self.name, values["num"])


@functools.lru_cache(maxsize=4096)
def _time_string(language: str, name: str, number: int) -> str:
    return TIME_STRINGS[name] % {"num": number}


_REMEMBERED_TIME_STRINGS = {name: _TimeString(name) for name in TIME_STRINGS}


@dataclass(frozen=True, slots=True)
class QueueRow:
    """A queue row, its text worked out once in Python from the row's values:
    per row, model instances, template lookups of `get_FOO_display`,
    `timesince` and `get_absolute_url` cost more than the rest of the row
    (bench/README.md)."""

    reference: str
    subject: str
    organisation: str
    priority: str
    status: str
    priority_label: str
    status_label: str
    assignee: str  # the name; "" when nobody has taken the ticket
    clock: Clock
    due: datetime.datetime | None
    url: str
    customer_wrote_at: datetime.datetime | None
    customer_wrote: str  # "3 hours ago", or "" if the customer has not written
    # The customer wrote since staff last opened the ticket (never marked
    # before staff first look: a new ticket is new, not answered).
    answered: bool
    group: str  # the group's name, "" for none
    tags: str  # "vpn, сбой"


def _queue_rows(page: list[dict], at: datetime.datetime) -> list[QueueRow]:
    calendar = support_hours.calendar()
    # One reverse() a page, not one a row: references are letters, digits and
    # hyphens, which a URL takes as they are.
    detail_url = reverse("tickets:detail", args=["REFERENCE"])
    priorities = {value: str(label) for value, label in Ticket.Priority.choices}
    statuses = {value: str(label) for value, label in Ticket.Status.choices}
    # The groups' names from the cached list: no join a row.
    groups = dict(cached_lists.group_choices())
    return [
        QueueRow(
            reference=ticket["reference"],
            subject=ticket["subject"],
            organisation=ticket["organisation__name"],
            priority=ticket["priority"],
            status=ticket["status"],
            priority_label=priorities.get(ticket["priority"], ticket["priority"]),
            status_label=statuses.get(ticket["status"], ticket["status"]),
            # As `User.get_full_name`.
            assignee=(
                (ticket["assignee__full_name"] or ticket["assignee__email"])
                if ticket["assignee_id"] is not None
                else ""
            ),
            clock=clock(ticket["status"], ticket["sla_due_at"], at, calendar=calendar),
            due=ticket["sla_due_at"],
            url=detail_url.replace("REFERENCE", ticket["reference"]),
            customer_wrote_at=ticket["last_customer_message_at"],
            customer_wrote=(
                _("%(since)s ago")
                % {
                    "since": timesince(
                        ticket["last_customer_message_at"],
                        at,
                        time_strings=_REMEMBERED_TIME_STRINGS,
                    )
                }
                if ticket["last_customer_message_at"]
                else ""
            ),
            answered=Ticket.customer_answered_since_seen(
                ticket["last_customer_message_at"], ticket["staff_seen_at"]
            ),
            group=groups.get(str(ticket["group_id"]), "") if ticket["group_id"] else "",
            tags=ticket["tag_names"],
        )
        for ticket in page
    ]


def _in_view(
    tickets: TicketQuerySet,
    view: str,
    request: HttpRequest,
    at: datetime.datetime,
    *,
    status_chosen: bool,
) -> TicketQuerySet:
    # A status filter is always an unsolved status. Asking "unsolved" once
    # more would make the planner count the condition twice, expect a handful
    # of rows and sort them instead of walking `ticket_open_queue`
    # (bench/README.md, the filtered queue).
    if view == "all":
        # Solved tickets too: those a report's figure counts (`reports`).
        return tickets
    if not status_chosen:
        tickets = tickets.open()
    if view == "unassigned":
        return tickets.unassigned()
    if view == "mine":
        return tickets.assigned_to(request.user)
    if view == "my_groups":
        return tickets.filter(group__in=group_ids_of(request.user))
    if view == "waiting":
        return tickets.waiting()
    if view == "breaching":
        return tickets.breaching(by=breaching_horizon(at))
    return tickets


def _cursor(ticket: dict) -> str:
    return keyset.cursor(ticket["sla_due_at"], ticket["pk"])


def _after(tickets: TicketQuerySet, cursor: str) -> TicketQuerySet:
    """The tickets after the cursor's row in the queue's order (no OFFSET, no COUNT)."""
    after = keyset.parse(cursor)
    return tickets.after_in_queue(*after) if after else tickets


def _page_number(text: str) -> int:
    """A search result page, 1 to the last one that ranking reaches."""
    last = -(-SEARCH_RANKED_MATCHES // QUEUE_PAGE_SIZE)
    return min(max(int(text), 1), last) if text.isdigit() else 1


def _with(query: QueryDict, **values: str) -> str:
    query = query.copy()
    query.update(values)
    return f"?{query.urlencode()}"


def _back_to_queue(request: HttpRequest) -> HttpResponse:
    """Back to the queue page the form was sent from, filters kept; only ours."""
    target = request.POST.get("next", "")
    queue_url = reverse("tickets_staff:queue")
    if target.startswith(queue_url) and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(queue_url)


def _view_of(query: QueryDict) -> str:
    view = query.get("view", "")
    return view if view in QUEUE_VIEWS else "open"


def _tickets_in_view(
    request: HttpRequest,
    query: QueryDict,
    filters: QueueFilterForm,
    at: datetime.datetime,
) -> TicketQuerySet:
    """The tickets of the queue view that `query` names (not searched), in no
    order: what the page lists and what its changes are counted over."""
    return _in_view(
        filters.filter(Ticket.objects.visible_to(request.user)),
        _view_of(query),
        request,
        at,
        status_chosen=filters.chose_status(),
    )


@dataclass(frozen=True, slots=True)
class FilterChip:
    """An active filter, as its label and value say it, and the queue without it."""

    label: str
    value: str
    remove_url: str


def _chips(filters: QueueFilterForm, query: QueryDict) -> list[FilterChip]:
    if not filters.is_bound:
        return []
    filters.is_valid()
    chips = []
    for name, value in filters.cleaned_data.items():
        if not value:
            continue
        field = filters.fields[name]
        if isinstance(field, forms.ChoiceField):
            shown = str(dict(field.choices).get(value, value))
        elif isinstance(value, datetime.date):
            shown = value.strftime("%d.%m.%Y")
        else:
            shown = str(value).strip()
        kept = query.copy()
        for key in (name, "after"):
            kept.pop(key, None)
        chips.append(FilterChip(str(field.label), shown, f"?{kept.urlencode()}"))
    return chips


def _render_queue(
    request: HttpRequest,
    query: QueryDict,
    *,
    bulk_form: BulkActionForm | None = None,
) -> HttpResponse:
    """The queue page for `query` (the page's GET parameters); the bulk form
    given when it came back with errors, its rows still checked."""
    at = now()
    view = _view_of(query)
    staff = staff_choices()
    filters = QueueFilterForm(query, staff=staff)
    search = query.get("q", "").strip()
    # A bulk form that came back shows the page it was sent from, but not the
    # rows of a later page: those ticked are on the page as it is now.
    after = query.get("after", "") if bulk_form is None else ""
    query = query.copy()
    query.pop("after", None)
    next_url = first_url = ""
    if search:
        # A search looks through every ticket, solved ones included, most
        # relevant first; its pages are bounded (`SEARCH_RANKED_MATCHES`).
        number = _page_number(after)
        tickets = (
            filters.filter(Ticket.objects.visible_to(request.user))
            .search(search)
            .values(*QUEUE_COLUMNS)
        )
        start = (number - 1) * QUEUE_PAGE_SIZE
        page = list(tickets[start : start + QUEUE_PAGE_SIZE + 1])
        if len(page) > QUEUE_PAGE_SIZE:
            next_url = _with(query, after=str(number + 1))
        if number > 1:
            first_url = f"?{query.urlencode()}"
    else:
        tickets = (
            _tickets_in_view(request, query, filters, at)
            .by_sla_due()
            .values(*QUEUE_COLUMNS)
        )
        if after:
            tickets = _after(tickets, after)
            first_url = f"?{query.urlencode()}"
        page = list(tickets[: QUEUE_PAGE_SIZE + 1])
        if len(page) > QUEUE_PAGE_SIZE:
            next_url = _with(query, after=_cursor(page[QUEUE_PAGE_SIZE - 1]))
    rows = _queue_rows(page[:QUEUE_PAGE_SIZE], at)
    view_query = query.copy()
    view_query.pop("view", None)
    if bulk_form is None:
        bulk_fields = _bulk_fields(request, staff)
        selected: frozenset[str] = frozenset()
    else:
        bulk_fields = render_to_string("tickets/_bulk_fields.html", {"form": bulk_form})
        selected = frozenset(bulk_form.data.getlist("tickets"))
    chips = _chips(filters, query)
    return render(
        request,
        "tickets/staff_queue.html",
        {
            "rows": rows,
            "selected": selected,
            "view": "" if search else view,
            "search": search,
            "views": QUEUE_VIEWS,
            "view_query": view_query.urlencode(),
            "filter_fields": _filter_fields(query, filters),
            "chips": chips,
            "bulk_form": bulk_form,
            "bulk_fields": bulk_fields,
            "bulk_tickets_id": BulkActionForm.TICKETS_ID,
            # The page's own address, even when a bulk form came back to it
            # (at the bulk form's address).
            "page_url": (
                request.get_full_path()
                if bulk_form is None
                else f"{reverse('tickets_staff:queue')}?{query.urlencode()}"
            ),
            "changes_url": (
                ""
                if search
                else f"{reverse('tickets_staff:queue_changes')}?"
                + _with(query, since=at.isoformat())[1:]
            ),
            "next_url": next_url,
            "first_url": first_url,
            "saved_filters": cached_lists.saved_filters_of(request.user),
            "search_limit": SEARCH_RANKED_MATCHES,
            "save_filter_form": SavedFilterForm(
                initial={"query": SavedFilterForm.kept(query)}
            ),
        },
        status=200 if bulk_form is None else 400,
    )


@require_safe
@staff_required
def queue(request: HttpRequest) -> HttpResponse:
    return _render_queue(request, request.GET)


@require_safe
@staff_required
def queue_changes(request: HttpRequest) -> HttpResponse:
    """How many tickets of the queue view named by the query changed since the
    page was drawn (`since`), for the page's "N new or updated" notice.

    Polled every few seconds by every open queue, so cheap: one aggregate, and
    304 Not Modified when the answer is the one the page already has.
    """
    try:
        since = datetime.datetime.fromisoformat(request.GET.get("since", ""))
    except ValueError:
        since = None
    if since is None or since.tzinfo is None:
        return JsonResponse({"error": "since: a moment with its time zone"}, status=400)
    filters = QueueFilterForm(request.GET, staff=staff_choices())
    changed = (
        _tickets_in_view(request, request.GET, filters, now())
        .filter(updated_at__gt=since)
        .aggregate(count=Count("pk"), latest=Max("updated_at"))
    )
    latest = changed["latest"].timestamp() if changed["latest"] else 0
    etag = f'"{changed["count"]}-{latest:.6f}"'
    if etag in parse_etags(request.headers.get("If-None-Match", "")):
        response = HttpResponseNotModified()
    else:
        count = changed["count"]
        response = JsonResponse(
            {
                "count": count,
                "text": ngettext(
                    "%(count)d new or updated ticket.",
                    "%(count)d new or updated tickets.",
                    count,
                )
                % {"count": count},
            }
        )
    response["ETag"] = etag
    response["Cache-Control"] = "private, no-cache"
    return response


@require_POST
@staff_required
def take(request: HttpRequest, reference: str) -> HttpResponse:
    ticket = get_ticket_for_user(request.user, reference)
    try:
        services.take_ticket(ticket, by=request.user)
    except services.TicketError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("%(reference)s is now assigned to you.")
            % {"reference": ticket.reference},
        )
    return _back_to_queue(request)


def _queue_query(request: HttpRequest) -> QueryDict:
    """The GET parameters of the queue page a form was sent from."""
    target = request.POST.get("next", "")
    queue_url = reverse("tickets_staff:queue")
    if not target.startswith(queue_url):
        return QueryDict()
    return QueryDict(urlsplit(target).query)


def _report(
    request: HttpRequest, chosen: int, changed: int, errors: list[str], done: str
) -> None:
    """What a bulk change did, and why any ticket was left as it was."""
    if changed:
        messages.success(request, done)
    elif errors:
        messages.error(
            request,
            ngettext(
                "The chosen ticket was not changed:",
                "None of the %(count)d chosen tickets was changed:",
                chosen,
            )
            % {"count": chosen},
        )
    else:
        messages.warning(
            request,
            ngettext(
                "Nothing to change: the chosen ticket already is as asked.",
                "Nothing to change: the %(count)d chosen tickets already are as asked.",
                chosen,
            )
            % {"count": chosen},
        )
    for error in errors:
        messages.error(request, error)


@require_POST
@staff_required
def bulk(request: HttpRequest) -> HttpResponse:
    form = BulkActionForm(
        request.POST,
        tickets=Ticket.objects.visible_to(request.user),
        user=request.user,
        staff=staff_choices(),
    )
    if not form.is_valid():
        # The queue again, with the errors in words and the rows still checked.
        return _render_queue(request, _queue_query(request), bulk_form=form)
    data = form.cleaned_data
    action = data["action"]
    chosen = list(data["tickets"].order_by("pk"))
    if action == BulkActionForm.Action.MERGE:
        into = data["into"]
        merged, errors = services.merge_tickets(chosen, into=into, by=request.user)
        _report(
            request,
            len(chosen),
            merged,
            errors,
            ngettext(
                "%(count)d ticket merged into %(reference)s.",
                "%(count)d tickets merged into %(reference)s.",
                merged,
            )
            % {"count": merged, "reference": into.reference},
        )
        return _back_to_queue(request)
    if action == BulkActionForm.Action.MACRO:
        macro = data["macro"]
        changed, errors = services.apply_macro_to_tickets(
            chosen, macro, by=request.user
        )
        _report(
            request,
            len(chosen),
            changed,
            errors,
            ngettext(
                "The macro “%(title)s” was applied to %(count)d ticket.",
                "The macro “%(title)s” was applied to %(count)d tickets.",
                changed,
            )
            % {"count": changed, "title": macro.title},
        )
        return _back_to_queue(request)
    changed, errors = services.change_tickets(
        chosen,
        by=request.user,
        assignee=data["assignee"] if action == BulkActionForm.Action.ASSIGN else None,
        status=data["status"] if action == BulkActionForm.Action.STATUS else "",
        priority=data["priority"] if action == BulkActionForm.Action.PRIORITY else "",
        group=data["group"] if action == BulkActionForm.Action.GROUP else None,
        tags=data["tags"] if action == BulkActionForm.Action.TAG else (),
    )
    _report(
        request,
        len(chosen),
        changed,
        errors,
        ngettext("%(count)d ticket changed.", "%(count)d tickets changed.", changed)
        % {"count": changed},
    )
    return _back_to_queue(request)


def _ticket_named(request: HttpRequest) -> Ticket | None:
    """The other ticket typed in a merge or link form; None, with a message, if
    there is none the user may see."""
    form = TicketReferenceForm(
        request.POST, tickets=Ticket.objects.visible_to(request.user)
    )
    if not form.is_valid():
        messages.error(request, form.errors.as_text())
        return None
    return form.cleaned_data["reference"]


@require_POST
@staff_required
def merge(request: HttpRequest, reference: str) -> HttpResponse:
    """Merge this ticket, a duplicate, into the ticket typed."""
    ticket = get_ticket_for_user(request.user, reference)
    into = _ticket_named(request)
    if into is None:
        return redirect(ticket)
    try:
        services.merge_ticket(ticket, into=into, by=request.user)
    except services.TicketError as error:
        messages.error(request, str(error))
        return redirect(ticket)
    messages.success(
        request,
        _("%(reference)s has been merged into this ticket.")
        % {"reference": ticket.reference},
    )
    return redirect(into)


@require_POST
@staff_required
def link(request: HttpRequest, reference: str) -> HttpResponse:
    ticket = get_ticket_for_user(request.user, reference)
    related = _ticket_named(request)
    if related is not None:
        try:
            services.link_tickets(ticket, related, by=request.user)
        except services.TicketError as error:
            messages.error(request, str(error))
    return redirect(ticket)


@require_POST
@staff_required
def unlink(request: HttpRequest, reference: str, related: str) -> HttpResponse:
    ticket = get_ticket_for_user(request.user, reference)
    services.unlink_tickets(
        ticket, get_ticket_for_user(request.user, related), by=request.user
    )
    return redirect(ticket)


@require_POST
@staff_required
def save_filter(request: HttpRequest) -> HttpResponse:
    form = SavedFilterForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.errors.as_text())
        return _back_to_queue(request)
    name, query = form.cleaned_data["name"], form.cleaned_data["query"]
    SavedFilter.objects.update_or_create(
        owner=request.user, name=name, defaults={"query": query}
    )
    messages.success(request, _("Filter “%(name)s” saved.") % {"name": name})
    return redirect(f"{reverse('tickets_staff:queue')}?{query}")


@require_POST
@staff_required
def delete_filter(request: HttpRequest, pk: int) -> HttpResponse:
    saved = get_object_or_404(SavedFilter, pk=pk, owner=request.user)
    saved.delete()
    messages.success(request, _("Filter “%(name)s” deleted.") % {"name": saved.name})
    return redirect("tickets_staff:queue")


@require_POST
@staff_required
def presence(request: HttpRequest, reference: str) -> JsonResponse:
    """Heartbeat from an open ticket page: who else is there, and replying."""
    ticket = get_ticket_for_user(request.user, reference)
    others = ticket_presence.mark(
        ticket, request.user, replying=request.POST.get("replying") == "1"
    )
    return JsonResponse({"text": ticket_presence.describe(others)})
