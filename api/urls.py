from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from api import docs
from api.views import access_requests, licences, organisations, tickets

app_name = "api"


def _api(view):
    """The token decides in DRF; the portal's sign-in redirect never applies."""
    return login_not_required(view)


urlpatterns = [
    path("schema/", _api(SpectacularAPIView.as_view()), name="schema"),
    path("docs/", docs.docs, name="docs"),
    path("tickets/", _api(tickets.TicketList.as_view()), name="tickets"),
    path(
        "tickets/<str:reference>/", _api(tickets.TicketDetail.as_view()), name="ticket"
    ),
    path(
        "tickets/<str:reference>/messages/",
        _api(tickets.TicketMessages.as_view()),
        name="messages",
    ),
    path(
        "tickets/<str:reference>/attachments/<uuid:code>/",
        _api(tickets.AttachmentDownload.as_view()),
        name="attachment",
    ),
    path("licences/bulk/", _api(licences.LicenceBulk.as_view()), name="licences_bulk"),
    path(
        "licences/<str:number>/", _api(licences.LicenceDetail.as_view()), name="licence"
    ),
    path(
        "organisations/external/<str:key>/",
        _api(organisations.OrganisationByExternalId.as_view()),
        name="organisation_by_external_id",
    ),
    path(
        "organisations/<str:key>/",
        _api(organisations.OrganisationDetail.as_view()),
        name="organisation",
    ),
    path(
        "contacts/<str:email>/",
        _api(organisations.ContactDetail.as_view()),
        name="contact",
    ),
    path(
        "access-requests/",
        _api(access_requests.AccessRequestList.as_view()),
        name="access_requests",
    ),
    path(
        "access-requests/<uuid:code>/",
        _api(access_requests.AccessRequestDetail.as_view()),
        name="access_request",
    ),
]
