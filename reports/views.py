"""The supervisors' reports page and its exports."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from urllib.parse import urlencode

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from accounts.decorators import staff_required
from audit import services as audit
from audit.models import AuditEntry
from helpdesk.csv_export import streamed_csv
from helpdesk.db_router import reads_from_replica
from reports import figures
from reports.forms import ReportForm
from tickets.models import Ticket


def _reports_page(view):
    view = permission_required("tickets.view_dashboard", raise_exception=True)(view)
    return require_safe(staff_required(reads_from_replica(view)))


def _record_export(request: HttpRequest, form: ReportForm, export: str) -> None:
    audit.record(
        AuditEntry.Action.EXPORT,
        actor=request.user,
        request=request,
        export=export,
        first=form.cleaned_data["first"].isoformat(),
        last=form.cleaned_data["last"].isoformat(),
        by=form.cleaned_data["by"],
    )


@_reports_page
def report_page(request: HttpRequest) -> HttpResponse:
    form = ReportForm.for_query(request.GET)
    report = None
    if form.is_valid():
        report = figures.report(form.period(), form.cleaned_data["by"])
    query = urlencode(form.data)
    return render(
        request,
        "reports/report.html",
        {
            "form": form,
            "report": report,
            "dimension": figures.DIMENSIONS.get(form.data["by"], None),
            "rows": [_shown(row) for row in report.rows] if report else [],
            "total": _shown(report.total) if report else None,
            "csv_url": f"{reverse('reports:report_csv')}?{query}",
            "tickets_csv_url": f"{reverse('reports:tickets_csv')}?{query}",
        },
        status=200 if report else 400,
    )


def _shown(row: figures.Row) -> dict:
    queue = reverse("tickets_staff:queue")
    return {
        "row": row,
        "url": f"{queue}?{urlencode(row.queue)}" if row.queue else "",
        "change": row.now.tickets - row.before.tickets,
    }


def _bad_form(form: ReportForm) -> HttpResponse:
    errors = "; ".join(str(e) for errors in form.errors.values() for e in errors)
    return HttpResponse(errors, status=400, content_type="text/plain; charset=utf-8")


def _percent(share: float | None) -> str:
    return "" if share is None else f"{share * 100:.1f}"


def _hours(seconds: float | None) -> str:
    return "" if seconds is None else f"{seconds / 3600:.2f}"


@_reports_page
def report_csv(request: HttpRequest) -> HttpResponse:
    """The report's table, each figure of the period and of the one before."""
    form = ReportForm.for_query(request.GET)
    if not form.is_valid():
        return _bad_form(form)
    _record_export(request, form, "report")
    period, by = form.period(), form.cleaned_data["by"]
    report = figures.report(period, by)
    heading = [str(figures.DIMENSIONS[by].label)]
    for label in (
        _("Tickets"),
        _("Solved"),
        _("Median first response, support hours"),
        _("First responses within target, %"),
        _("Solved within target, %"),
        _("Average rating"),
        _("Ratings"),
    ):
        heading += [str(label), _("%(figure)s, period before") % {"figure": label}]

    def cells(row: figures.Row) -> list:
        out = [row.name]
        for now, before in (
            (row.now.tickets, row.before.tickets),
            (row.now.solved, row.before.solved),
            (
                _hours(row.now.first_response_median),
                _hours(row.before.first_response_median),
            ),
            (
                _percent(row.now.first_response_share),
                _percent(row.before.first_response_share),
            ),
            (
                _percent(row.now.resolution_share),
                _percent(row.before.resolution_share),
            ),
            (
                "" if row.now.score is None else f"{row.now.score:.2f}",
                "" if row.before.score is None else f"{row.before.score:.2f}",
            ),
            (row.now.rated, row.before.rated),
        ):
            out += [now, before]
        return out

    rows = [heading, *(cells(row) for row in report.rows), cells(report.total)]
    return streamed_csv(f"report-{by}-{period.first}-{period.last}.csv", rows)


def _yes_no(value: bool | None) -> str:
    return "" if value is None else (_("yes") if value else _("no"))


def _moment(value) -> str:
    return "" if value is None else localtime(value).strftime("%Y-%m-%d %H:%M")


def _label(choices) -> Callable[[str], str]:
    labels = dict(choices)
    return lambda value: str(labels.get(value, value))


def _as_is(value) -> object:
    return "" if value is None else value


# A ticket's line: each field read, its heading, and how it is written.
TICKET_COLUMNS = (
    ("reference", gettext_lazy("Reference"), _as_is),
    ("created_at", gettext_lazy("Filed"), _moment),
    ("status", gettext_lazy("Status"), _label(Ticket.Status.choices)),
    ("priority", gettext_lazy("Priority"), _label(Ticket.Priority.choices)),
    ("category", gettext_lazy("Category"), _label(Ticket.Category.choices)),
    ("channel", gettext_lazy("Channel"), _label(Ticket.Channel.choices)),
    ("organisation__name", gettext_lazy("Organisation"), _as_is),
    ("licence__number", gettext_lazy("Licence"), _as_is),
    ("licence__product", gettext_lazy("Product"), _as_is),
    ("assignee__full_name", gettext_lazy("Agent"), _as_is),
    ("group__name", gettext_lazy("Group"), _as_is),
    ("first_response_at", gettext_lazy("First response"), _moment),
    (
        "first_response_support_seconds",
        gettext_lazy("First response, support seconds"),
        _as_is,
    ),
    ("first_response_met", gettext_lazy("First response within target"), _yes_no),
    ("resolved_at", gettext_lazy("Solved"), _moment),
    ("resolution_met", gettext_lazy("Solved within target"), _yes_no),
    ("rating__score", gettext_lazy("Rating"), _as_is),
)


@_reports_page
def tickets_csv(request: HttpRequest) -> HttpResponse:
    """Every ticket the report counts, one line each, written as it is read:
    a year of a million tickets in the memory of a few thousand rows."""
    form = ReportForm.for_query(request.GET)
    if not form.is_valid():
        return _bad_form(form)
    _record_export(request, form, "tickets")
    period = form.period()
    tickets = (
        figures.tickets_filed(period)
        .order_by("created_at", "pk")
        .values_list(*(name for name, _label, _write in TICKET_COLUMNS))
    )
    writers = [write for _name, _label, write in TICKET_COLUMNS]

    def rows() -> Iterator[list]:
        yield [str(label) for _name, label, _write in TICKET_COLUMNS]
        for values in tickets.iterator(chunk_size=2000):
            yield [write(value) for write, value in zip(writers, values, strict=True)]

    return streamed_csv(f"tickets-{period.first}-{period.last}.csv", rows())
