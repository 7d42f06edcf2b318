"""An organisation's figures on the portal, for its manager, and their CSV.

The organisation is the manager's own (`User.managed_membership`): nothing
in the address names one, so no address shows another's figures.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from accounts.models import Membership
from audit import services as audit
from audit.models import AuditEntry
from helpdesk.csv_export import streamed_csv
from helpdesk.db_router import reading_from_replica
from reports.exports import hours_cell, percent_cell, refused
from reports.organisation import OpenCount, OrganisationFigures, organisation_figures
from reports.organisation_forms import MonthsForm


def _membership(request: HttpRequest) -> Membership:
    # Read from the primary: a manager who was just removed must not get in
    # through a lagging replica.
    membership = request.user.managed_membership
    if membership is None:
        raise PermissionDenied
    return membership


def _figures(membership: Membership, form: MonthsForm) -> OrganisationFigures:
    # Figures of whole months and open tickets: a replica's second of lag
    # changes nothing a manager reads here.
    with reading_from_replica():
        return organisation_figures(membership.organisation_id, form.months())


def _listed(row: OpenCount) -> dict:
    tickets = reverse("tickets:list")
    return {
        "row": row,
        "url": f"{tickets}?{urlencode(row.list_filter)}" if row.list_filter else "",
    }


@require_safe
def figures_page(request: HttpRequest) -> HttpResponse:
    membership = _membership(request)
    form = MonthsForm.for_query(request.GET)
    figures = _figures(membership, form) if form.is_valid() else None
    context = {"organisation": membership.organisation, "form": form}
    if figures is not None:
        tickets = reverse("tickets:list")
        context |= {
            "figures": figures,
            "months": list(zip(figures.months.starts, figures.by_month, strict=True)),
            "filed": [month.tickets for month in figures.by_month],
            "open_by_status": [_listed(row) for row in figures.open_by_status],
            "open_by_licence": [_listed(row) for row in figures.open_by_licence],
            "open_url": f"{tickets}?{urlencode(figures.open_filter)}",
            "csv_url": (
                f"{reverse('organisation_figures:csv')}?{urlencode(form.data)}"
            ),
        }
    return render(
        request,
        "reports/organisation.html",
        context,
        status=200 if figures is not None else 400,
    )


def table_rows(figures: OrganisationFigures) -> list[list]:
    """The page's monthly tables as one sheet: a line per licence, the
    month's totals, then each month's replies and solutions; the last
    column is the whole range's."""
    months = [*figures.by_month, figures.whole]
    rows: list[list] = [
        [
            _("Licence"),
            _("Product"),
            *(start.strftime("%Y-%m") for start in figures.months.starts),
            _("Total"),
        ]
    ]
    rows += [
        [row.number, row.product, *row.counts, row.total] for row in figures.licences
    ]
    rows.append([_("All tickets"), "", *(month.tickets for month in months)])
    rows.append([_("Solved"), "", *(month.solved for month in months)])
    rows.append(
        [
            _("Median first response, support hours"),
            "",
            *(hours_cell(month.first_response_median) for month in months),
        ]
    )
    rows.append(
        [
            _("First responses within target, %"),
            "",
            *(percent_cell(month.first_response_share) for month in months),
        ]
    )
    return rows


@require_safe
def figures_csv(request: HttpRequest) -> HttpResponse:
    membership = _membership(request)
    form = MonthsForm.for_query(request.GET)
    if not form.is_valid():
        return refused(form)
    months = form.months()
    audit.record(
        AuditEntry.Action.EXPORT,
        actor=request.user,
        target=("organisation", membership.organisation_id),
        request=request,
        export="organisation.csv",
        first=months.first.strftime("%Y-%m"),
        last=months.last.strftime("%Y-%m"),
    )
    # A few dozen lines at most: read whole before the answer streams.
    rows = table_rows(_figures(membership, form))
    return streamed_csv(f"figures-{months.first:%Y-%m}-{months.last:%Y-%m}.csv", rows)
