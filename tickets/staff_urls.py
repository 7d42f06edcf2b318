from __future__ import annotations

from django.urls import path

from tickets import dashboard_views, staff_views

# Under /staff/ so that the staff two-factor middleware guards it.
app_name = "tickets_staff"

urlpatterns = [
    path("queue/", staff_views.queue, name="queue"),
    path("queue/bulk/", staff_views.bulk, name="bulk"),
    path("queue/<str:reference>/take/", staff_views.take, name="take"),
    path("dashboard/", dashboard_views.dashboard_page, name="dashboard"),
]
