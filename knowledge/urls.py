from __future__ import annotations

from django.urls import path, re_path

from knowledge import views

app_name = "knowledge"

# An article's address names its language: each language has its own slugs.
ARTICLE = r"^(?P<language>ru|en)/(?P<slug>[-a-zA-Z0-9_]+)/"

urlpatterns = [
    path("", views.index, name="index"),
    path("search/", views.search, name="search"),
    path("c/<slug:slug>/", views.category_detail, name="category"),
    path("a/<uuid:code>/", views.article_by_code, name="article_by_code"),
    path("files/<uuid:code>/", views.attachment_download, name="file"),
    re_path(ARTICLE + "$", views.article_detail, name="article"),
    re_path(ARTICLE + "feedback/$", views.feedback, name="feedback"),
]
