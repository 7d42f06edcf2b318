"""The staff queue: views, filters, SLA clocks, "Take" and bulk changes."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.timezone import now
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST, require_safe

from accounts.decorators import staff_required
from schedule import current as support_hours
from tickets import services
from tickets.forms import BulkActionForm, QueueFilterForm, staff_choices
from tickets.models import Ticket, TicketQuerySet
from tickets.sla import Clock, breaching_horizon, clock
from tickets.views import get_ticket_for_user

QUEUE_PAGE_SIZE = 25

# The queue's tabs, in the order shown; "open" is the default.
QUEUE_VIEWS = {
    "open": gettext_lazy("All open"),
    "unassigned": gettext_lazy("Unassigned"),
    "mine": gettext_lazy("Mine"),
    "waiting": gettext_lazy("Waiting for customer"),
    "breaching": gettext_lazy("Breaching SLA"),
}


@dataclass(frozen=True, slots=True)
class QueueRow:
    ticket: Ticket
    clock: Clock


def _in_view(
    tickets: TicketQuerySet, view: str, request: HttpRequest, at: datetime.datetime
) -> TicketQuerySet:
    tickets = tickets.open()
    if view == "unassigned":
        return tickets.unassigned()
    if view == "mine":
        return tickets.assigned_to(request.user)
    if view == "waiting":
        return tickets.waiting()
    if view == "breaching":
        return tickets.breaching(by=breaching_horizon(at))
    return tickets


def _cursor(ticket: Ticket) -> str:
    due = ticket.sla_due_at.isoformat() if ticket.sla_due_at else ""
    return f"{due}_{ticket.pk}"


def _after(tickets: TicketQuerySet, cursor: str) -> TicketQuerySet:
    """The tickets after the cursor's row in the queue's order (no OFFSET, no COUNT)."""
    due_text, _sep, pk_text = cursor.rpartition("_")
    try:
        pk = int(pk_text)
        due = datetime.datetime.fromisoformat(due_text) if due_text else None
    except ValueError:
        return tickets
    if due is not None and due.tzinfo is None:
        return tickets
    return tickets.after_in_queue(due, pk)


def _back_to_queue(request: HttpRequest) -> HttpResponse:
    """Back to the queue page the form was sent from, filters kept; only ours."""
    target = request.POST.get("next", "")
    queue_url = reverse("tickets_staff:queue")
    if target.startswith(queue_url) and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(queue_url)


@require_safe
@staff_required
def queue(request: HttpRequest) -> HttpResponse:
    at = now()
    view = request.GET.get("view", "")
    if view not in QUEUE_VIEWS:
        view = "open"
    staff = staff_choices()
    filters = QueueFilterForm(request.GET, staff=staff)
    search = request.GET.get("q", "").strip()
    if search:
        # A search looks through every ticket, solved ones included.
        tickets = filters.filter(Ticket.objects.visible_to(request.user).search(search))
    else:
        tickets = filters.filter(
            _in_view(Ticket.objects.visible_to(request.user), view, request, at)
        )
    tickets = tickets.select_related("organisation", "assignee").by_sla_due()
    cursor = request.GET.get("after", "")
    if cursor:
        tickets = _after(tickets, cursor)
    page = list(tickets[: QUEUE_PAGE_SIZE + 1])
    has_next = len(page) > QUEUE_PAGE_SIZE
    page = page[:QUEUE_PAGE_SIZE]
    calendar = support_hours.calendar()
    rows = [
        QueueRow(t, clock(t.status, t.sla_due_at, at, calendar=calendar)) for t in page
    ]
    query = request.GET.copy()
    query.pop("after", None)
    next_url = ""
    if has_next:
        query["after"] = _cursor(page[-1])
        next_url = f"?{query.urlencode()}"
        query.pop("after")
    view_query = request.GET.copy()
    for key in ("view", "after"):
        view_query.pop(key, None)
    return render(
        request,
        "tickets/staff_queue.html",
        {
            "rows": rows,
            "view": "" if search else view,
            "search": search,
            "views": QUEUE_VIEWS,
            "view_query": view_query.urlencode(),
            "filters": filters,
            "bulk_form": BulkActionForm(tickets=Ticket.objects.none(), staff=staff),
            "next_url": next_url,
            "first_url": f"?{query.urlencode()}" if cursor else "",
        },
    )


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


@require_POST
@staff_required
def bulk(request: HttpRequest) -> HttpResponse:
    form = BulkActionForm(request.POST, tickets=Ticket.objects.visible_to(request.user))
    if not form.is_valid():
        messages.error(
            request,
            _("Choose tickets, an action and its value: %(errors)s")
            % {"errors": form.errors.as_text()},
        )
        return _back_to_queue(request)
    data = form.cleaned_data
    action = data["action"]
    changed, errors = services.change_tickets(
        list(data["tickets"].order_by("pk")),
        by=request.user,
        assignee=data["assignee"] if action == BulkActionForm.Action.ASSIGN else None,
        status=data["status"] if action == BulkActionForm.Action.STATUS else "",
        priority=data["priority"] if action == BulkActionForm.Action.PRIORITY else "",
    )
    messages.success(
        request,
        ngettext("%(count)d ticket changed.", "%(count)d tickets changed.", changed)
        % {"count": changed},
    )
    for error in errors:
        messages.error(request, error)
    return _back_to_queue(request)
