from __future__ import annotations

from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_list, name="list"),
    path("read/", views.read_all, name="read_all"),
    path("settings/", views.preferences, name="settings"),
    path("<uuid:code>/open/", views.open_notification, name="open"),
    path("tickets/<str:reference>/follow/", views.follow, name="follow"),
    path("tickets/<str:reference>/unfollow/", views.unfollow, name="unfollow"),
]
