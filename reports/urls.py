from django.urls import path, re_path

from reports import views

app_name = "reports"

urlpatterns = [
    path("", views.report_page, name="report"),
    re_path(r"^report\.(?P<format>csv|xlsx)$", views.report_table, name="report_table"),
    path("exports/", views.export_tickets, name="export_tickets"),
    path("exports/<int:pk>/", views.export_page, name="export"),
    path("exports/<int:pk>/progress", views.export_progress, name="export_progress"),
    path("exports/<int:pk>/file", views.export_file, name="export_file"),
]
