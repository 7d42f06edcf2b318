from __future__ import annotations

from django.urls import path

from api import pages

app_name = "integrations"

urlpatterns = [
    path("", pages.integrations, name="list"),
    path("<int:pk>/tokens/", pages.issue, name="issue"),
    path("tokens/<int:pk>/revoke/", pages.revoke, name="revoke"),
]
