from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("", views.report_page, name="report"),
    path("report.csv", views.report_csv, name="report_csv"),
    path("tickets.csv", views.tickets_csv, name="tickets_csv"),
]
