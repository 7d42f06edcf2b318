from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from api import docs, views

app_name = "api"


def _api(view):
    """The token decides in DRF; the portal's sign-in redirect never applies."""
    return login_not_required(view)


urlpatterns = [
    path("schema/", _api(SpectacularAPIView.as_view()), name="schema"),
    path("docs/", docs.docs, name="docs"),
    path("tickets/", _api(views.TicketList.as_view()), name="tickets"),
    path("tickets/<str:reference>/", _api(views.TicketDetail.as_view()), name="ticket"),
    path(
        "tickets/<str:reference>/messages/",
        _api(views.TicketMessages.as_view()),
        name="messages",
    ),
    path(
        "tickets/<str:reference>/attachments/<uuid:code>/",
        _api(views.AttachmentDownload.as_view()),
        name="attachment",
    ),
]
