from __future__ import annotations

from django.urls import path, re_path

from knowledge.views import drafting, pages, staff, suggestions

app_name = "knowledge"

# An article's address names its language: each language has its own slugs.
ARTICLE = r"^(?P<language>ru|en)/(?P<slug>[-a-zA-Z0-9_]+)/"

urlpatterns = [
    path("", pages.index, name="index"),
    path("search/", pages.search, name="search"),
    path("c/<slug:slug>/", pages.category_detail, name="category"),
    path("a/<uuid:code>/", pages.article_by_code, name="article_by_code"),
    path("files/<uuid:code>/", pages.attachment_download, name="file"),
    re_path(ARTICLE + "$", pages.article_detail, name="article"),
    re_path(ARTICLE + "feedback/$", pages.feedback, name="feedback"),
    path("suggest/", suggestions.suggest, name="suggest"),
    path("s/<uuid:code>/<int:article>/", suggestions.suggested, name="suggested"),
    path("s/<uuid:code>/<int:article>/solved/", suggestions.solved, name="solved"),
    path("l/<uuid:code>/", staff.follow_link, name="link"),
    path("figures/", staff.figures_page, name="figures"),
    path("ticket/<str:reference>/find/", staff.find_for_ticket, name="find_for_ticket"),
    path("ticket/<str:reference>/link/", staff.link_for_ticket, name="link_for_ticket"),
    path("draft-from/<uuid:code>/", drafting.draft_from_reply, name="draft_from_reply"),
    path(
        "draft-from/<uuid:code>/create/",
        drafting.create_draft_from_reply,
        name="create_draft_from_reply",
    ),
]
