from __future__ import annotations

from django.urls import path

from schedule import views

app_name = "schedule"

urlpatterns = [
    path("api/schedule/status", views.status_api, name="status_api"),
    path("support-hours/", views.support_hours, name="support_hours"),
]
