from __future__ import annotations

from django.urls import path

from tickets.dashboard import views as dashboard_views
from tickets.views import staff as staff_views

app_name = "tickets_staff"

urlpatterns = [
    path("queue/", staff_views.queue, name="queue"),
    path("queue/bulk/", staff_views.bulk, name="bulk"),
    path("queue/changes/", staff_views.queue_changes, name="queue_changes"),
    path("queue/<str:reference>/take/", staff_views.take, name="take"),
    path("queue/filters/", staff_views.save_filter, name="save_filter"),
    path(
        "queue/filters/<int:pk>/delete/",
        staff_views.delete_filter,
        name="delete_filter",
    ),
    path("tickets/<str:reference>/merge/", staff_views.merge, name="merge"),
    path("tickets/<str:reference>/links/", staff_views.link, name="link"),
    path(
        "tickets/<str:reference>/links/<str:related>/delete/",
        staff_views.unlink,
        name="unlink",
    ),
    path("tickets/<str:reference>/presence/", staff_views.presence, name="presence"),
    path("dashboard/", dashboard_views.dashboard_page, name="dashboard"),
]
