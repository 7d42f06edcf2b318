"""What deleting rows of the knowledge base must also do, however they are
deleted (an article in the admin takes its texts and files with it):

- move the knowledge base's latest change: saves move it themselves
  (`updated_at`), deletions leave no row to say so. Pages' ETags and the
  article page's cached parts are keyed on it (`knowledge.http.changed_at`),
  so a deleted article leaves no page that still lists it;
- remove a deleted file's bytes from storage, once the deletion commits.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
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


@receiver(post_delete, sender=ArticleAttachment)
def file_deleted(instance: ArticleAttachment, **kwargs: Any) -> None:
    stored = instance.file
    if stored:
        transaction.on_commit(lambda: stored.storage.delete(stored.name))
