"""The cached rules are forgotten when one of them, its conditions or its
actions change (or a group, agent or webhook they name is deleted, which
empties a reference)."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from accounts.models import User
from automation.engine import rules_cache
from automation.models import Action, Condition, Rule
from tickets.models import SupportGroup
from webhooks.models import Endpoint


@receiver(post_save, sender=Rule)
@receiver(post_delete, sender=Rule)
@receiver(post_save, sender=Condition)
@receiver(post_delete, sender=Condition)
@receiver(post_save, sender=Action)
@receiver(post_delete, sender=Action)
@receiver(post_delete, sender=SupportGroup)
@receiver(post_delete, sender=User)
@receiver(post_delete, sender=Endpoint)
def rules_changed(**kwargs: Any) -> None:
    rules_cache.forget()
