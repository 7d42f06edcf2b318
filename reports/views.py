"""The supervisors' reports page and its exports."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import permission_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from accounts.decorators import staff_required
from audit import services as audit
from audit.models import AuditEntry
from helpdesk.csv_export import streamed_csv
from helpdesk.db_router import reads_from_replica
from reports import figures
from reports.charts import charts
from reports.exports import hours_cell, percent_cell, ratio_cell, refused, xlsx_bytes
from reports.forms import ReportForm
from reports.models import Export
from reports.tasks import write_export_file
from tickets.dashboard.charts import queue_url
from tickets.downloads import file_response


def _for_supervisors(view):
    view = permission_required("tickets.view_dashboard", raise_exception=True)(view)
    return staff_required(view)


def _reports_page(view):
    return require_safe(_for_supervisors(reads_from_replica(view)))


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


def _row_parameter(key: object) -> str:
    """How a row is named in the page's query (`?row=`)."""
    return figures.NONE if key is None else str(key)


@_reports_page
def report_page(request: HttpRequest) -> HttpResponse:
    form = ReportForm.for_query(request.GET)
    report, drawn, chosen = None, [], None
    if form.is_valid():
        period = form.period()
        report = figures.report(period, form.cleaned_data["by"], rows_before=False)
        # The charts of one row's tickets, if the query names one.
        wanted = request.GET.get("row")
        chosen = next((r for r in report.rows if _row_parameter(r.key) == wanted), None)
        if chosen is None:
            drawn = charts(period, figures.backlog(period))
        else:
            days = figures.backlog(
                period, field=figures.DIMENSIONS[report.dimension].field, key=chosen.key
            )
            drawn = charts(
                period,
                days,
                row=chosen.queue[-1] if chosen.queue else None,
                linked=chosen.queue is not None,
            )
    query = urlencode(form.data)
    return render(
        request,
        "reports/report.html",
        {
            "form": form,
            "report": report,
            "charts": drawn,
            "chosen": chosen,
            "dimension": figures.DIMENSIONS.get(form.data["by"], None),
            "rows": [_shown(row, query) for row in report.rows] if report else [],
            "total": _shown(report.total, query) if report else None,
            "page_url": f"{reverse('reports:report')}?{query}",
            "csv_url": f"{reverse('reports:report_table', args=['csv'])}?{query}",
            "xlsx_url": f"{reverse('reports:report_table', args=['xlsx'])}?{query}",
            "export_formats": Export.Format.choices,
            "exports": Export.objects.visible_to(request.user)[:5],
        },
        status=200 if report else 400,
    )


def _shown(row: figures.Row, query: str) -> dict:
    return {
        "row": row,
        "url": queue_url(row.queue) if row.queue else "",
        "charts_url": f"{reverse('reports:report')}?{query}&"
        + urlencode({"row": _row_parameter(row.key)}),
        "change": row.now.tickets - row.before.tickets,
    }


def _table(report: figures.Report) -> Iterator[list]:
    """The report's table, each figure of the period and of the one before."""
    heading = [str(figures.DIMENSIONS[report.dimension].label)]
    for label in (
        _("Tickets"),
        _("Solved"),
        _("Median first response, support hours"),
        _("First responses within target, %"),
        _("Median resolution, support hours"),
        _("Solved within target, %"),
        _("Support replies per ticket"),
        _("Average rating"),
        _("Ratings"),
    ):
        heading += [str(label), _("%(figure)s, period before") % {"figure": label}]
    yield heading
    for row in [*report.rows, report.total]:
        now, before = row.now, row.before
        out = [row.name]
        for write, figure in (
            (int, "tickets"),
            (int, "solved"),
            (hours_cell, "first_response_median"),
            (percent_cell, "first_response_share"),
            (hours_cell, "resolution_median"),
            (percent_cell, "resolution_share"),
            (ratio_cell, "replies_per_ticket"),
            (ratio_cell, "score"),
            (int, "rated"),
        ):
            out += [write(getattr(now, figure)), write(getattr(before, figure))]
        yield out


@_reports_page
def report_table(request: HttpRequest, format: str) -> HttpResponse:
    """The report's table as CSV or XLSX: a row per value, and the total."""
    form = ReportForm.for_query(request.GET)
    if not form.is_valid():
        return refused(form)
    _record_export(request, form, f"report.{format}")
    period, by = form.period(), form.cleaned_data["by"]
    rows = _table(figures.report(period, by))
    filename = f"report-{by}-{period.first}-{period.last}.{format}"
    if format == "csv":
        return streamed_csv(filename, rows)
    response = HttpResponse(
        xlsx_bytes(_("Report"), rows), content_type=Export(format="xlsx").content_type
    )
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@require_POST
@_for_supervisors
def export_tickets(request: HttpRequest) -> HttpResponse:
    """Ask for the period's tickets as a file: the worker writes it while
    the export's page shows how far it got."""
    form = ReportForm.for_query(request.POST)
    if not form.is_valid():
        return refused(form)
    chosen = request.POST.get("format")
    if chosen not in Export.Format.values:
        chosen = Export.Format.CSV
    export = Export.objects.create(
        requested_by=request.user,
        format=chosen,
        first=form.cleaned_data["first"],
        last=form.cleaned_data["last"],
    )
    _record_export(request, form, f"tickets.{chosen}")
    transaction.on_commit(lambda: write_export_file.delay(export.pk))
    return redirect("reports:export", pk=export.pk)


def _own_export(request: HttpRequest, pk: int) -> Export:
    return get_object_or_404(Export.objects.visible_to(request.user), pk=pk)


@require_safe
@_for_supervisors
def export_page(request: HttpRequest, pk: int) -> HttpResponse:
    export = _own_export(request, pk)
    return render(
        request,
        "reports/export.html",
        {
            "export": export,
            "report_url": f"{reverse('reports:report')}?"
            + urlencode({"first": export.first, "last": export.last}),
            "export_keep_hours": settings.REPORT_EXPORT_KEEP_HOURS,
        },
    )


@require_safe
@_for_supervisors
def export_progress(request: HttpRequest, pk: int) -> JsonResponse:
    """What the export's page shows while it waits, read by its script."""
    export = _own_export(request, pk)
    return JsonResponse(
        {
            "state": export.state,
            "label": str(export.get_state_display()),
            "done": export.rows_done,
            "total": export.rows_total,
            "percent": export.percent,
            "finished": export.finished,
        }
    )


@require_safe
@_for_supervisors
def export_file(request: HttpRequest, pk: int) -> HttpResponse:
    export = _own_export(request, pk)
    if export.state != Export.State.DONE or not export.file:
        raise Http404
    return file_response(
        export.file, filename=export.filename, content_type=export.content_type
    )
