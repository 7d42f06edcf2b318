"""Staff write the knowledge base in the admin: categories, articles with
both languages' texts, products and files; states change by actions that
call the services; each text has a history with diffs and a restore."""

from __future__ import annotations

import difflib

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy
from django.views.decorators.http import require_POST

from helpdesk.admin_names import ModelAdmin
from knowledge import services
from knowledge.forms import ArticleAttachmentForm, ArticleTranslationForm
from knowledge.markdown import render_article
from knowledge.models import (
    Article,
    ArticleAttachment,
    ArticleFeedback,
    ArticleProduct,
    ArticleRevision,
    ArticleTranslation,
    Category,
)


@admin.register(Category)
class CategoryAdmin(ModelAdmin):
    accusative = pgettext_lazy("accusative", "knowledge base category")
    list_display = ["__str__", "parent", "product", "position", "slug"]
    list_select_related = ["parent"]
    search_fields = ["name_ru", "name_en", "slug", "product"]
    prepopulated_fields = {"slug": ("name_en",)}
    fields = ["parent", "name_ru", "name_en", "slug", "product", "position"]


class TranslationInline(admin.StackedInline):
    """Both languages' texts; saved through `services.save_translation`
    (`ArticleAdmin.save_formset`), which keeps the history and redirects."""

    model = ArticleTranslation
    form = ArticleTranslationForm
    # A draft's text has no page yet; "Pages" on the article links them all.
    view_on_site = False
    extra = 0
    max_num = 2
    prepopulated_fields = {"slug": ("title",)}

    def get_extra(self, request: HttpRequest, obj: Article | None = None, **kwargs):
        present = obj.translations.count() if obj else 0
        return max(0, 2 - present)

    def _may_edit(self, request: HttpRequest, obj: Article | None) -> bool:
        if obj is None:
            return request.user.has_perm(services.CHANGE)
        return services.may_edit_text(obj, request.user)

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._may_edit(request, obj)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._may_edit(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._may_edit(request, obj)


class ProductInline(admin.TabularInline):
    model = ArticleProduct
    extra = 1


class AttachmentInline(admin.TabularInline):
    """New files are stored by `services.attach_files`; stored ones are
    read-only, with the Markdown that shows or links them in a text."""

    model = ArticleAttachment
    form = ArticleAttachmentForm
    # The Markdown column names each file's address.
    view_on_site = False
    extra = 1
    fields = ["file", "original_name", "size", "content_type", "shown_markdown"]
    readonly_fields = ["original_name", "size", "content_type", "shown_markdown"]

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description=gettext_lazy("Markdown"))
    def shown_markdown(self, attachment: ArticleAttachment) -> str:
        if attachment.pk is None:
            return "—"
        return format_html("<code>{}</code>", attachment.markdown)


@admin.register(Article)
class ArticleAdmin(ModelAdmin):
    accusative = pgettext_lazy("accusative", "article")
    inlines = [TranslationInline, ProductInline, AttachmentInline]
    list_display = [
        "shown_title",
        "category",
        "visibility",
        "state",
        "author",
        "reviewer",
        "published_at",
        "shown_feedback",
    ]
    list_filter = ["state", "visibility", "category"]
    list_select_related = ["category", "author", "reviewer"]
    search_fields = ["translations__title", "translations__slug"]
    fields = [
        "category",
        "visibility",
        "state",
        "author",
        "reviewer",
        "published_at",
        "links",
    ]
    readonly_fields = ["state", "author", "reviewer", "published_at", "links"]
    actions = ["submit_for_review", "publish", "archive", "back_to_draft"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Article]:
        return (
            super()
            .get_queryset(request)
            .prefetch_related(
                Prefetch(
                    "translations",
                    queryset=ArticleTranslation.objects.only(
                        "article_id", "language", "title", "slug"
                    ),
                )
            )
            .annotate(
                helpful=Count("feedback", filter=Q(feedback__helpful=True)),
                unhelpful=Count("feedback", filter=Q(feedback__helpful=False)),
            )
        )

    @admin.display(description=gettext_lazy("title"))
    def shown_title(self, article: Article) -> str:
        return str(article)

    @admin.display(description=gettext_lazy("helpful / not"))
    def shown_feedback(self, article: Article) -> str:
        return f"{article.helpful} / {article.unhelpful}"

    @admin.display(description=gettext_lazy("pages"))
    def links(self, article: Article) -> SafeString | str:
        if article.pk is None:
            return "—"
        parts = [
            format_html(
                '<a href="{}">{}</a>',
                reverse("admin:knowledge_article_history_texts", args=[article.pk]),
                _("History of the texts"),
            )
        ]
        for translation in article.translations.all():
            parts.append(
                format_html(
                    '<a href="{}">{}</a>',
                    reverse(
                        "admin:knowledge_article_preview",
                        args=[article.pk, translation.language],
                    ),
                    _("Preview (%(language)s)") % {"language": translation.language},
                )
            )
            if article.state == Article.State.PUBLISHED:
                parts.append(
                    format_html(
                        '<a href="{}">{}</a>',
                        translation.get_absolute_url(),
                        _("On the site (%(language)s)")
                        % {"language": translation.language},
                    )
                )
        return format_html(" · ".join(["{}"] * len(parts)), *parts)

    def view_on_site(self, article: Article) -> str | None:
        if article.state != Article.State.PUBLISHED:
            return None
        return article.get_absolute_url()

    def save_model(self, request, obj: Article, form, change: bool) -> None:
        if not change:
            obj.author = request.user
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        # The visibility and the products are changed here, and suggestions
        # offer the article by them.
        Article.objects.filter(pk=form.instance.pk).index_titles()

    def save_formset(self, request, form, formset, change: bool) -> None:
        # Texts and files are the services' to write; what they wrote is
        # told to the admin's log as its own `formset.save()` would.
        formset.new_objects, formset.changed_objects = [], []
        formset.deleted_objects = [
            each.instance for each in formset.deleted_forms if each.instance.pk
        ]
        article = form.instance
        if formset.model is ArticleTranslation:
            for deleted in formset.deleted_objects:
                services.delete_translation(deleted, by=request.user)
            for each in formset.forms:
                if each in formset.deleted_forms or not each.has_changed():
                    continue
                data = each.cleaned_data
                translation = services.save_translation(
                    article,
                    language=data["language"],
                    title=data["title"],
                    slug=data["slug"],
                    body=data["body"],
                    by=request.user,
                )
                if each.instance.pk:
                    formset.changed_objects.append((translation, each.changed_data))
                else:
                    formset.new_objects.append(translation)
            return
        if formset.model is ArticleAttachment:
            for deleted in formset.deleted_objects:
                deleted.file.delete(save=False)
                deleted.delete()
            uploads = [
                each.cleaned_data["file"]
                for each in formset.forms
                if each.instance.pk is None
                and each not in formset.deleted_forms
                and each.cleaned_data.get("file")
            ]
            if uploads:
                formset.new_objects = services.attach_files(
                    article, uploads, by=request.user
                )
            return
        super().save_formset(request, form, formset, change)

    # State changes: actions that call `services.move_article`.

    def _move(self, request: HttpRequest, queryset: QuerySet, to: str) -> None:
        moved = 0
        for article in queryset:
            try:
                services.move_article(article, to=to, by=request.user)
            except services.KnowledgeError as error:
                self.message_user(request, f"{article}: {error}", messages.ERROR)
            else:
                moved += 1
        if moved:
            self.message_user(
                request,
                ngettext(
                    "%(count)d article changed.", "%(count)d articles changed.", moved
                )
                % {"count": moved},
                messages.SUCCESS,
            )

    @admin.action(description=gettext_lazy("Submit for review"), permissions=["change"])
    def submit_for_review(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._move(request, queryset, Article.State.REVIEW)

    @admin.action(
        description=gettext_lazy("Review and publish"), permissions=["publish"]
    )
    def publish(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._move(request, queryset, Article.State.PUBLISHED)

    @admin.action(description=gettext_lazy("Archive"), permissions=["publish"])
    def archive(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._move(request, queryset, Article.State.ARCHIVED)

    @admin.action(description=gettext_lazy("Back to draft"), permissions=["change"])
    def back_to_draft(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._move(request, queryset, Article.State.DRAFT)

    def has_publish_permission(self, request: HttpRequest) -> bool:
        return services.may_publish(request.user)

    # History, diffs, restore and preview.

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view
        return [
            path(
                "<int:pk>/texts/",
                view(self.history_texts_view),
                name="knowledge_article_history_texts",
            ),
            path(
                "<int:pk>/texts/<int:revision_pk>/",
                view(self.revision_view),
                name="knowledge_article_revision",
            ),
            path(
                "<int:pk>/texts/<int:revision_pk>/restore/",
                view(require_POST(self.restore_view)),
                name="knowledge_article_restore",
            ),
            path(
                "<int:pk>/preview/<str:language>/",
                view(self.preview_view),
                name="knowledge_article_preview",
            ),
            *super().get_urls(),
        ]

    def _article(self, request: HttpRequest, pk: int) -> Article:
        article = get_object_or_404(self.get_queryset(request), pk=pk)
        if not self.has_view_permission(request, article):
            raise PermissionDenied
        return article

    def _context(self, request: HttpRequest, article: Article, title: str) -> dict:
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": article,
            "title": title,
        }

    def history_texts_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        article = self._article(request, pk)
        revisions = ArticleRevision.objects.filter(article=article).select_related(
            "author"
        )
        context = self._context(
            request, article, _("History of “%(title)s”") % {"title": article}
        )
        context["revisions"] = revisions
        context["state_changes"] = article.state_changes.select_related("by")
        return TemplateResponse(
            request, "admin/knowledge/article/history_texts.html", context
        )

    def revision_view(
        self, request: HttpRequest, pk: int, revision_pk: int
    ) -> HttpResponse:
        article = self._article(request, pk)
        revision = get_object_or_404(
            ArticleRevision.objects.select_related("author"),
            pk=revision_pk,
            article=article,
        )
        previous = revision.previous()
        context = self._context(
            request,
            article,
            _("Revision of %(when)s")
            % {"when": date_format(localtime(revision.created_at), "DATETIME_FORMAT")},
        )
        context.update(
            {
                "revision": revision,
                "previous": previous,
                "diff": revision_diff(previous, revision),
                "may_restore": services.may_edit_text(article, request.user),
            }
        )
        return TemplateResponse(
            request, "admin/knowledge/article/revision.html", context
        )

    def restore_view(
        self, request: HttpRequest, pk: int, revision_pk: int
    ) -> HttpResponse:
        article = self._article(request, pk)
        revision = get_object_or_404(ArticleRevision, pk=revision_pk, article=article)
        try:
            services.restore_revision(revision, by=request.user)
        except services.KnowledgeError as error:
            self.message_user(request, str(error), messages.ERROR)
        else:
            self.message_user(request, _("The text was restored."), messages.SUCCESS)
        return HttpResponseRedirect(
            reverse("admin:knowledge_article_history_texts", args=[article.pk])
        )

    def preview_view(
        self, request: HttpRequest, pk: int, language: str
    ) -> HttpResponse:
        """The text as the site would show it, whatever the article's state."""
        article = self._article(request, pk)
        translation = get_object_or_404(
            ArticleTranslation, article=article, language=language
        )
        rendered = render_article(translation.body)
        context = self._context(request, article, translation.title)
        context.update(
            {
                "translation": translation,
                "body": rendered.html,
                "contents": rendered.contents,
                "attachments": article.attachments.all(),
            }
        )
        return TemplateResponse(
            request, "admin/knowledge/article/preview.html", context
        )


def revision_diff(
    previous: ArticleRevision | None, revision: ArticleRevision
) -> SafeString:
    """The changes from the previous revision as an HTML table (difflib
    escapes the texts it shows)."""

    def lines(rev: ArticleRevision | None) -> list[str]:
        if rev is None:
            return []
        return [rev.title, rev.slug, "", *rev.body.splitlines()]

    table = difflib.HtmlDiff(wrapcolumn=70).make_table(
        lines(previous),
        lines(revision),
        fromdesc=_("Before"),
        todesc=_("After"),
        context=True,
        numlines=3,
    )
    # The heading cells over its "next change" links are empty, and a screen
    # reader would announce a column with no name: plain cells instead.
    table = table.replace(
        '<th class="diff_next"><br /></th>', '<td class="diff_next"></td>'
    )
    # Safe: HtmlDiff escapes &, < and > of every line it puts in the table.
    return mark_safe(table)


@admin.register(ArticleFeedback)
class FeedbackAdmin(ModelAdmin):
    list_display = ["created_at", "article", "language", "helpful", "comment", "user"]
    list_filter = ["helpful", "language"]
    list_select_related = ["article", "user"]
    search_fields = ["comment"]
    date_hierarchy = "created_at"

    def get_queryset(self, request: HttpRequest) -> QuerySet[ArticleFeedback]:
        # The article is named by its title, in its translations.
        return super().get_queryset(request).prefetch_related("article__translations")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
