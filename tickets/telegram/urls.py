from __future__ import annotations

from django.urls import path

from tickets.telegram import views

app_name = "telegram"

urlpatterns = [
    path("webhook/", views.webhook, name="webhook"),
]
