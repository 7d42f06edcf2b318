from __future__ import annotations

from django.urls import path

from webhooks import pages

app_name = "webhooks"

urlpatterns = [
    path("integrations/<int:pk>/", pages.endpoints, name="list"),
    path("<int:pk>/delete/", pages.delete, name="delete"),
    path("<int:pk>/rotate/", pages.rotate, name="rotate"),
    path("<int:pk>/enable/", pages.enable, name="enable"),
]
