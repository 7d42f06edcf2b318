"""What each optimisation of issue 8 bought, measured before and after in one run.

Each entry times the code as it was ("before", rebuilt here from the old
code) against the code as it is ("after"), on the bench database, in the
same process, one right after the other; the best of several rounds, in
milliseconds. bench/run.py calls `measure()` after Django is set up.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable

import markdown as markdown_lib
from django import forms
from django.contrib.auth.backends import ModelBackend
from django.db import connection, transaction
from django.db.models import F, Q
from django.forms.models import ModelChoiceIterator
from django.http import QueryDict
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.timezone import now

from accounts.backends import CachedPermissionsBackend
from accounts.models import Organisation, User
from tickets import cached_lists, conversation, staff_views
from tickets import markdown as ticket_markdown
from tickets.forms import (
    BulkActionForm,
    ListedChoices,
    QueueFilterForm,
    QuickSelect,
    TicketForm,
)
from tickets.models import (
    CannedResponse,
    Message,
    SlaTarget,
    Ticket,
    TicketEvent,
)
from tickets.staff_views import _cursor


def best_ms(action: Callable[[], object], rounds: int = 7) -> float:
    action()
    best = float("inf")
    for _round in range(rounds):
        began = time.perf_counter()
        action()
        best = min(best, time.perf_counter() - began)
    return round(best * 1000, 3)


def _render(form: forms.Form) -> str:
    return "".join(str(field) for field in form)


def organisation_filter() -> dict:
    """The queue's organisation filter: a <select> of every organisation
    (before) or a text box for the INN (after)."""

    def before() -> str:
        form = QueueFilterForm(QueryDict(""))
        form.fields["organisation"] = forms.ModelChoiceField(
            queryset=Organisation.objects.order_by("name"), required=False
        )
        return _render(form)

    return {
        "what": "queue filters: organisation <select> of every organisation → INN text box",
        "before_ms": best_ms(before, rounds=3),
        "after_ms": best_ms(lambda: _render(QueueFilterForm(QueryDict("")))),
    }


def quick_selects() -> dict:
    """The queue's two forms with Django's template-per-option <select> (before)
    and with `QuickSelect` (after)."""

    def forms_with(widget_class: type[forms.Select]) -> str:
        rendered = []
        for form in (
            QueueFilterForm(QueryDict("")),
            BulkActionForm(tickets=Ticket.objects.none()),
        ):
            for field in form.fields.values():
                if isinstance(field.widget, QuickSelect):
                    field.widget.__class__ = widget_class
            rendered.append(_render(form))
        return "".join(rendered)

    return {
        "what": "queue filters and bulk form: selects written in Python (QuickSelect)",
        "before_ms": best_ms(lambda: forms_with(forms.Select)),
        "after_ms": best_ms(lambda: forms_with(QuickSelect)),
    }


def markdown_parser(reference: str) -> dict:
    """The 20 messages of the bench's ticket: a new Markdown parser for each
    (before) or one kept per thread (after)."""
    bodies = list(
        Message.objects.filter(ticket__reference=reference).values_list(
            "body", flat=True
        )
    )

    def before() -> None:
        for body in bodies:
            markdown_lib.markdown(
                body,
                extensions=["fenced_code", "tables", "sane_lists", "nl2br"],
                output_format="html",
            )

    def after() -> None:
        parser = ticket_markdown._parser()
        for body in bodies:
            parser.reset().convert(body)

    return {
        "what": f"Markdown of the {len(bodies)} messages of a ticket: one parser per thread",
        "before_ms": best_ms(before),
        "after_ms": best_ms(after),
    }


def business_time(calendar) -> dict:
    """The queue's SLA cells: support time from now to the deadlines of the
    first page, counted day by day (before) or from running sums (after)."""
    at = now()
    deadlines = list(
        Ticket.objects.open().by_sla_due().values_list("sla_due_at", flat=True)[:25]
    )
    deadlines = [due for due in deadlines if due is not None]

    def day_by_day(start: dt.datetime, end: dt.datetime) -> dt.timedelta:
        if end < start:
            return -day_by_day(end, start)
        total = dt.timedelta(0)
        for day in calendar.days(
            start.astimezone(calendar.tz).date(), end.astimezone(calendar.tz).date()
        ):
            for opening in day.openings:
                overlap = min(opening.closes, end) - max(opening.opens, start)
                if overlap > dt.timedelta(0):
                    total += overlap
        return total

    oldest = min(deadlines, default=at)
    return {
        "what": "SLA cells of the first queue page (deadlines back to "
        f"{oldest:%Y-%m-%d}): business time from running sums",
        "before_ms": best_ms(lambda: [day_by_day(at, due) for due in deadlines]),
        "after_ms": best_ms(
            lambda: [calendar.business_time_between(at, due) for due in deadlines]
        ),
    }


def _execution_ms(queryset) -> float:
    sql, params = queryset.query.sql_with_params()
    best = float("inf")
    with connection.cursor() as cursor:
        for _round in range(5):
            cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params)
            plan = cursor.fetchone()[0]
            best = min(best, plan[0]["Execution Time"])
    return round(best, 2)


def deep_queue_page() -> dict:
    """A queue page 80 % of the way down: the old order and OR-cursor over the
    (sla_due_at, id) index (before) against the partial index (after)."""
    queue = Ticket.objects.open().by_sla_due()
    size = queue.count()
    row = queue.values("pk", "sla_due_at")[size * 4 // 5]
    due, pk = row["sla_due_at"], row["pk"]
    old_order = Ticket.objects.open().order_by(
        F("sla_due_at").asc(nulls_last=True), "pk"
    )
    if due is None:
        before = old_order.filter(sla_due_at=None, pk__gt=pk)
    else:
        before = old_order.filter(
            Q(sla_due_at__gt=due) | Q(sla_due_at=due, pk__gt=pk) | Q(sla_due_at=None)
        )
    after = queue.after_in_queue(due, pk)
    return {
        "what": f"queue page at row {size * 4 // 5:,} of {size:,}: SQL execution, "
        "keyset over a partial index of unsolved tickets",
        "before_ms": _execution_ms(before.select_related("organisation")[:26]),
        "after_ms": _execution_ms(after.select_related("organisation")[:26]),
        "cursor": _cursor(row),
    }


def status_filter_once() -> dict:
    """The filtered queue's SQL: "unsolved" and the status filter both (before),
    the status filter alone, always an unsolved one (after)."""
    filters = {"status": "open", "priority": "high", "category": "malfunction"}

    def page(tickets):
        return (
            tickets.filter(**filters)
            .select_related("organisation", "assignee")
            .by_sla_due()[:26]
        )

    return {
        "what": "filtered queue: SQL execution, the status asked once "
        "(the planner keeps its estimate and walks ticket_open_queue)",
        "before_ms": _execution_ms(page(Ticket.objects.open())),
        "after_ms": _execution_ms(page(Ticket.objects.all())),
    }


def queue_by_kind_index() -> dict:
    """The filtered queue's SQL without the index of unsolved tickets by
    priority and category (dropped in a transaction rolled back afterwards:
    before) and with it (after)."""
    page = (
        Ticket.objects.filter(status="open", priority="high", category="malfunction")
        .select_related("organisation", "assignee")
        .by_sla_due()[:26]
    )
    after = _execution_ms(page)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DROP INDEX ticket_open_queue_by_kind")
        before = _execution_ms(page)
        transaction.set_rollback(True)
    return {
        "what": "filtered queue: SQL execution, a range of ticket_open_queue_by_kind "
        "instead of ticket_open_queue walked past other priorities",
        "before_ms": before,
        "after_ms": after,
    }


def search_vector_deferred() -> dict:
    """The queue's first page read with every column (before) or without the
    search vector, a kilobyte or more of text a ticket (after)."""

    def page(tickets) -> list:
        return list(
            tickets.open().select_related("organisation", "assignee").by_sla_due()[:26]
        )

    return {
        "what": "queue page rows: read without Ticket.search_vector",
        "before_ms": best_ms(lambda: page(Ticket.objects.defer(None))),
        "after_ms": best_ms(lambda: page(Ticket.objects.all())),
    }


def cached_permissions() -> dict:
    """The menu's dashboard check for a supervisor as the next request makes
    it: two queries through ModelBackend (before), the cache (after)."""
    pk = User.objects.filter(groups__name="supervisor").values_list("pk", flat=True)[0]

    def check(backend) -> bool:
        return backend.has_perm(User.objects.get(pk=pk), "tickets.view_dashboard")

    def user_alone() -> User:
        return User.objects.get(pk=pk)

    return {
        "what": "dashboard permission check: cached permission sets "
        "(the user's own query, the same in both, subtracted)",
        "before_ms": round(
            best_ms(lambda: check(ModelBackend())) - best_ms(user_alone), 2
        ),
        "after_ms": round(
            best_ms(lambda: check(CachedPermissionsBackend())) - best_ms(user_alone), 2
        ),
    }


def markdown_remembered(reference: str) -> dict:
    """The 20 messages of the bench's ticket converted each time (before) or
    remembered by the process (after)."""
    bodies = list(
        Message.objects.filter(ticket__reference=reference).values_list(
            "body", flat=True
        )
    )
    return {
        "what": f"Markdown of the {len(bodies)} messages of a ticket: "
        "remembered per process",
        "before_ms": best_ms(lambda: [ticket_markdown._render(b) for b in bodies]),
        "after_ms": best_ms(
            lambda: [ticket_markdown.render_markdown(b) for b in bodies]
        ),
    }


def listed_choices(reference: str) -> dict:
    """The filing form's licence list and colleagues read through Django's
    server-side cursor (before) or one plain query each (after). The staff
    ticket page's forms, which it was measured on first, now take theirs from
    the organisation directory (accounts.directory)."""
    contact = Ticket.objects.select_related("contact").get(reference=reference).contact

    def render(iterator) -> str:
        form = TicketForm(contact=contact)
        for field in form.fields.values():
            if hasattr(field, "queryset"):
                field.iterator = iterator
        return _render(form)

    return {
        "what": "filing form: licence and colleague choices without a "
        "server-side cursor",
        "before_ms": best_ms(lambda: render(ModelChoiceIterator)),
        "after_ms": best_ms(lambda: render(ListedChoices)),
    }


def cached_reference_lists() -> dict:
    """The lists a staff ticket page reads (active staff, SLA targets, canned
    responses): three queries (before) or the cache (after)."""

    def before() -> object:
        staff = list(
            User.objects.filter(is_staff=True, is_active=True)
            .order_by("full_name")
            .values_list("pk", "full_name", "email")
        )
        targets = SlaTarget.objects.by_priority()
        return staff, targets, list(CannedResponse.objects.filter(is_active=True))

    def after() -> object:
        return (
            cached_lists.staff_choices(),
            cached_lists.sla_targets_by_priority(),
            cached_lists.active_canned_responses(),
        )

    return {
        "what": "staff ticket page: staff, SLA targets and canned responses "
        "cached until they change",
        "before_ms": best_ms(before),
        "after_ms": best_ms(after),
    }


def cached_conversation(reference: str) -> dict:
    """The staff ticket page's conversation: its messages, attachments and
    authors read and rendered (before) or the HTML from the cache (after)."""
    ticket = Ticket.objects.get(reference=reference)
    events = list(
        TicketEvent.objects.filter(ticket=ticket)
        .exclude(kind__in=[TicketEvent.Kind.MESSAGE, TicketEvent.Kind.CREATED])
        .select_related("actor")
    )
    with translation.override("ru"):
        return {
            "what": f"staff ticket page: its conversation ({ticket.messages.count()} "
            "messages) cached until it changes",
            "before_ms": best_ms(
                lambda: conversation._render(ticket, events, staff=True)
            ),
            "after_ms": best_ms(
                lambda: conversation.conversation(ticket, events, staff=True)
            ),
        }


def organisation_directory(reference: str) -> dict:
    """What the staff ticket page reads about the ticket's organisation: the
    ticket joined with its organisation, licence, contact and assignee, the
    licence's periods, the organisation's licences and its colleagues with
    whether each is copied (before), or the ticket with its rating and the
    rest from the directory and the staff list, only the copied colleagues
    read (after)."""
    from django.db.models import Exists, OuterRef, prefetch_related_objects

    from accounts.models import Licence
    from tickets.forms import colleagues_of
    from tickets.views import _fill_relations_from_caches

    def before() -> object:
        ticket = Ticket.objects.select_related(
            "organisation", "licence", "contact", "assignee"
        ).get(reference=reference)
        prefetch_related_objects([ticket.licence], "subscription_periods")
        licences = list(
            Licence.objects.filter(organisation_id=ticket.organisation_id)
            .only("number", "product", "organisation")
            .order_by("number")
        )
        colleagues = list(
            colleagues_of(ticket.organisation_id, exclude=ticket.contact)
            .only("full_name", "email")
            .annotate(
                copied=Exists(
                    Ticket.cc.through.objects.filter(ticket=ticket, user=OuterRef("pk"))
                )
            )
        )
        return ticket.licence.support_ends_on, licences, colleagues

    def after() -> object:
        ticket = Ticket.objects.select_related("rating").get(reference=reference)
        licence = _fill_relations_from_caches(ticket)
        copied = list(
            Ticket.cc.through.objects.filter(ticket=ticket).values_list(
                "user_id", flat=True
            )
        )
        return licence.support_ends_on, ticket.contact.full_name, copied

    return {
        "what": "staff ticket page: the organisation, licence, contact, "
        "colleagues and assignee from the directory and the staff list",
        "before_ms": best_ms(before),
        "after_ms": best_ms(after),
    }


def cached_queue_forms() -> dict:
    """The queue's filter and bulk forms' fields: rendered for every request
    (before) or from the cache (after), the forms built in both."""
    query = QueryDict("")

    def forms_built() -> tuple[QueueFilterForm, BulkActionForm]:
        staff = cached_lists.staff_choices()
        return (
            QueueFilterForm(query, staff=staff),
            BulkActionForm(tickets=Ticket.objects.none(), staff=staff),
        )

    def before() -> object:
        filters, bulk = forms_built()
        return render_to_string("tickets/_form_fields.html", {"form": filters}), (
            render_to_string(
                "tickets/_form_fields.html", {"form": bulk, "skipped": ("tickets",)}
            )
        )

    def after() -> object:
        # The filter form filters the tickets too; the bulk form is made only
        # when its fields are not cached.
        staff = cached_lists.staff_choices()
        filters = QueueFilterForm(query, staff=staff)
        return staff_views._fields_html(lambda: filters, "filters:bench"), (
            staff_views._fields_html(
                lambda: BulkActionForm(tickets=Ticket.objects.none(), staff=staff),
                "bulk",
                skipped=("tickets",),
            )
        )

    with translation.override("ru"):
        return {
            "what": "queue: the filter and bulk forms' fields cached per language, "
            "filters sent and staff list (the bulk form made only to fill it)",
            "before_ms": best_ms(before),
            "after_ms": best_ms(after),
        }


def measure(ticket_reference: str) -> list[dict]:
    from schedule import current

    results = [
        organisation_filter(),
        quick_selects(),
        markdown_parser(ticket_reference),
        business_time(current.calendar()),
        deep_queue_page(),
        status_filter_once(),
        queue_by_kind_index(),
        search_vector_deferred(),
        cached_permissions(),
        markdown_remembered(ticket_reference),
        listed_choices(ticket_reference),
        cached_reference_lists(),
        cached_conversation(ticket_reference),
        organisation_directory(ticket_reference),
        cached_queue_forms(),
    ]
    for result in results:
        before, after = result["before_ms"], result["after_ms"]
        result["speedup"] = round(before / after, 1) if after else None
    return results
