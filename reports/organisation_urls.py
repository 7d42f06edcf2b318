from __future__ import annotations

from django.urls import path

from reports import organisation_views

app_name = "organisation_figures"

urlpatterns = [
    path("", organisation_views.figures_page, name="page"),
    path("figures.csv", organisation_views.figures_csv, name="csv"),
]
