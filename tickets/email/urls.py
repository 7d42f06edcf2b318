from __future__ import annotations

from django.urls import path

from tickets.email import views as mail_views

app_name = "tickets_mail"

urlpatterns = [
    path("", mail_views.mail_list, name="list"),
    path("<uuid:code>/", mail_views.mail_detail, name="detail"),
    path("<uuid:code>/raw/", mail_views.mail_download, name="download"),
    path("<uuid:code>/retry/", mail_views.mail_retry, name="retry"),
    path("<uuid:code>/assign/", mail_views.mail_assign, name="assign"),
]
