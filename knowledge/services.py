"""Writing the knowledge base: texts with their history, states, files and
readers' feedback.

Who may do what (the admin asks the same through permissions):
- `knowledge.change_article` (every staff role) writes drafts and texts of
  articles not yet published, and moves them between draft and review;
- `knowledge.publish_article` (supervisors and admins) publishes, archives,
  takes a published article back to draft, and changes the text of a
  published article directly;
- publishing needs a second pair of eyes: the person who publishes is
  recorded as the reviewer and may not be the article's author, unless they
  are an administrator (a desk of one must still be able to publish).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.timezone import localtime, now
from django.utils.translation import gettext as _

from accounts.emails import queue_templated_email
from accounts.models import StaffRole, User
from knowledge.models import (
    LANGUAGE_CODES,
    Article,
    ArticleAttachment,
    ArticleFeedback,
    ArticleRevision,
    ArticleStateChange,
    ArticleTranslation,
    SlugRedirect,
)
from tickets.services import TicketError, check_attachments

PUBLISH = "knowledge.publish_article"
CHANGE = "knowledge.change_article"


class KnowledgeError(Exception):
    """A knowledge base rule was broken; the message says which, in the user's language."""


def may_publish(user: User) -> bool:
    return user.is_active and user.is_staff and user.has_perm(PUBLISH)


def may_edit_text(article: Article, user: User) -> bool:
    """Whether the user may change the article's texts as they stand."""
    if not (user.is_active and user.is_staff and user.has_perm(CHANGE)):
        return False
    return article.state != Article.State.PUBLISHED or may_publish(user)


def _check_may_edit_text(article: Article, user: User) -> None:
    if not may_edit_text(article, user):
        raise KnowledgeError(
            _(
                "Only a reviewer may change a published article; move it "
                "back to draft or ask a supervisor."
            )
        )


@transaction.atomic
def save_translation(
    article: Article,
    *,
    language: str,
    title: str,
    slug: str,
    body: str,
    by: User,
    note: str = "",
) -> ArticleTranslation:
    """Write the article's text in one language.

    1. The article is locked: two people saving at once write two
       revisions one after the other, never one lost between them.
    2. Nothing changed: nothing is written (no empty revision).
    3. A changed slug leaves a redirect from the old one; a slug given back
       to a text stops redirecting.
    4. The search vector is rebuilt and a revision records who wrote what.
    """
    if language not in LANGUAGE_CODES:
        raise KnowledgeError(_("Unknown language."))
    article = Article.objects.select_for_update().get(pk=article.pk)
    _check_may_edit_text(article, by)
    translation = ArticleTranslation.objects.filter(
        article=article, language=language
    ).first()
    if translation is not None and (
        translation.title,
        translation.slug,
        translation.body,
    ) == (title, slug, body):
        return translation
    taken = ArticleTranslation.objects.filter(language=language, slug=slug).exclude(
        article=article
    )
    if taken.exists():
        raise KnowledgeError(
            _("Another article already has the address “%(slug)s”.") % {"slug": slug}
        )
    if translation is None:
        translation = ArticleTranslation(article=article, language=language)
    old_slug = translation.slug
    translation.title, translation.slug, translation.body = title, slug, body
    translation.save()
    if old_slug and old_slug != slug:
        SlugRedirect.objects.update_or_create(
            language=language,
            old_slug=old_slug,
            defaults={"translation": translation},
        )
    SlugRedirect.objects.filter(language=language, old_slug=slug).delete()
    ArticleTranslation.objects.filter(pk=translation.pk).refresh_search_vector()
    Article.objects.filter(pk=article.pk).index_titles()
    ArticleRevision.objects.create(
        article=article,
        language=language,
        title=title,
        slug=slug,
        body=body,
        author=by,
        note=note,
    )
    article.save(update_fields=["updated_at"])
    return translation


@transaction.atomic
def delete_translation(translation: ArticleTranslation, *, by: User) -> None:
    """Remove one language's text; its history stays, to restore from."""
    article = Article.objects.select_for_update().get(pk=translation.article_id)
    _check_may_edit_text(article, by)
    translation.delete()
    article.save(update_fields=["updated_at"])


@transaction.atomic
def restore_revision(revision: ArticleRevision, *, by: User) -> ArticleTranslation:
    """Make the revision's text the current one again, as a new revision."""
    saved_at = date_format(localtime(revision.created_at), "DATETIME_FORMAT")
    return save_translation(
        revision.article,
        language=revision.language,
        title=revision.title,
        slug=revision.slug,
        body=revision.body,
        by=by,
        note=_("Restored the text saved on %(when)s") % {"when": saved_at},
    )


def _is_admin(user: User) -> bool:
    return user.is_superuser or user.has_staff_role(StaffRole.ADMIN)


@transaction.atomic
def move_article(article: Article, *, to: str, by: User) -> Article:
    """Change the article's state along `Article.ALLOWED_TRANSITIONS`, by the
    rules at the top of this module; the change is recorded with who made it."""
    article = Article.objects.select_for_update().get(pk=article.pk)
    if not (by.is_active and by.is_staff and by.has_perm(CHANGE)):
        raise KnowledgeError(_("You may not change articles."))
    if not article.can_move_to(to):
        raise KnowledgeError(
            _("An article that is %(old)s cannot become %(new)s.")
            % {
                "old": article.get_state_display().lower(),
                "new": str(dict(Article.State.choices).get(to, to)).lower(),
            }
        )
    leaves_site = article.state == Article.State.PUBLISHED
    if (to in (Article.State.PUBLISHED, Article.State.ARCHIVED) or leaves_site) and (
        not may_publish(by)
    ):
        raise KnowledgeError(
            _("Only supervisors and administrators publish and archive articles.")
        )
    if to in (Article.State.REVIEW, Article.State.PUBLISHED) and (
        not article.translations.exists()
    ):
        raise KnowledgeError(_("Write the article in at least one language first."))
    fields = ["state", "updated_at"]
    if to == Article.State.PUBLISHED:
        if article.author_id == by.pk and not _is_admin(by):
            raise KnowledgeError(
                _("Someone other than the author reviews and publishes an article.")
            )
        article.reviewer = by
        article.published_at = article.published_at or now()
        fields += ["reviewer", "published_at"]
    ArticleStateChange.objects.create(
        article=article, old_state=article.state, new_state=to, by=by
    )
    article.state = to
    article.save(update_fields=fields)
    Article.objects.filter(pk=article.pk).index_titles()
    return article


@transaction.atomic
def attach_files(
    article: Article, files: Sequence[UploadedFile], *, by: User
) -> list[ArticleAttachment]:
    """Store files with the article, by the tickets' rules: the allowed
    types and sizes, and the type read from the bytes."""
    try:
        check_attachments(files)
    except TicketError as error:
        raise KnowledgeError(str(error)) from error
    attached = [ArticleAttachment.store(upload, article=article) for upload in files]
    Article.objects.filter(pk=article.pk).update(updated_at=now())
    return attached


@transaction.atomic
def record_feedback(
    article: Article,
    *,
    language: str,
    helpful: bool,
    comment: str = "",
    user: User | None = None,
) -> ArticleFeedback:
    """Keep a reader's answer; a comment is e-mailed to the article's author
    (in their language), who can then improve the text."""
    if user is not None and not user.is_authenticated:
        user = None
    feedback = ArticleFeedback.objects.create(
        article=article,
        language=language,
        helpful=helpful,
        comment=comment.strip(),
        user=user,
    )
    author = article.author
    if feedback.comment and author is not None and author.is_active:
        translation = article.translations.filter(language=language).first()
        queue_templated_email(
            [author.email],
            "knowledge/email/feedback",
            {
                "feedback": feedback,
                "title": translation.title if translation else str(article.code),
                "reader": user.get_full_name() if user else "",
                "admin_url": settings.SITE_URL.rstrip("/")
                + reverse("admin:knowledge_article_change", args=[article.pk]),
            },
            language=author.language,
        )
    return feedback
