from __future__ import annotations

from django.urls import path

from tickets.telegram import views as telegram_views
from tickets.views import customer as views
from tickets.views import rating as rating_views

app_name = "tickets"

urlpatterns = [
    path("", views.ticket_list, name="list"),
    path("new/", views.ticket_create, name="create"),
    path("preview/", views.markdown_preview, name="preview"),
    path(
        "new/for-customer/",
        views.ticket_create_for_customer,
        name="create_for_customer",
    ),
    path("notifications/", views.notification_settings, name="notification_settings"),
    path("telegram/", telegram_views.telegram_settings, name="telegram"),
    path(
        "telegram/disconnect/",
        telegram_views.telegram_disconnect,
        name="telegram_disconnect",
    ),
    # The closing e-mail's one-click links; the token is the authority.
    path("rating/<str:token>/", rating_views.rate_by_link, name="rate_by_link"),
    path("<str:reference>/", views.ticket_detail, name="detail"),
    path("<str:reference>/close/", views.ticket_close, name="close"),
    path("<str:reference>/rate/", views.ticket_rate, name="rate"),
    path(
        "<str:reference>/copied/", views.ticket_copied_contacts, name="copied_contacts"
    ),
    path("<str:reference>/properties/", views.ticket_properties, name="properties"),
    path(
        "<str:reference>/files/<uuid:code>/",
        views.attachment_download,
        name="attachment",
    ),
]
