from __future__ import annotations

from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("access/", views.request_access, name="request_access"),
    path("privacy/", views.privacy_notice, name="privacy_notice"),
    path("profile/", views.profile, name="profile"),
    path("access/requested/", views.access_requested, name="access_requested"),
    path("invitation/<str:token>/", views.accept_invitation, name="accept_invitation"),
    path(
        "organisation/contacts/",
        views.organisation_contacts,
        name="organisation_contacts",
    ),
    path(
        "organisation/contacts/<int:user_id>/remove/",
        views.remove_contact,
        name="remove_contact",
    ),
    path(
        "staff/access-requests/", views.access_request_list, name="access_request_list"
    ),
    path(
        "staff/access-requests/<uuid:code>/",
        views.access_request_detail,
        name="access_request_detail",
    ),
]
