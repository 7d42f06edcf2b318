"""Receivers that move the knowledge base's latest change when rows are
deleted: saves move it themselves (`updated_at`), deletions leave no row to
say so. Pages' ETags and the article page's cached parts are keyed on it
(`knowledge.http.changed_at`), so a deleted article leaves no page that
still lists it."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils.timezone import now

from knowledge.models import (
    Article,
    ArticleAttachment,
    ArticleProduct,
    ArticleTranslation,
    Category,
)


@receiver(post_delete, sender=Article)
def article_deleted(instance: Article, **kwargs: Any) -> None:
    Category.objects.filter(pk=instance.category_id).update(updated_at=now())


@receiver(post_delete, sender=ArticleTranslation)
@receiver(post_delete, sender=ArticleAttachment)
@receiver(post_delete, sender=ArticleProduct)
def part_deleted(
    instance: ArticleTranslation | ArticleAttachment | ArticleProduct, **kwargs: Any
) -> None:
    Article.objects.filter(pk=instance.article_id).update(updated_at=now())
