"""The cached list of active endpoints is forgotten when an endpoint, an
integration or a user changes (an integration's user deactivated stops its
webhooks)."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from accounts.models import User, saved_at_sign_in
from api.models import Integration
from webhooks import endpoints
from webhooks.models import Endpoint


@receiver(post_save, sender=Endpoint)
@receiver(post_delete, sender=Endpoint)
@receiver(post_save, sender=Integration)
@receiver(post_delete, sender=Integration)
@receiver(post_delete, sender=User)
def endpoints_changed(**kwargs: Any) -> None:
    endpoints.cache.forget()


@receiver(post_save, sender=User)
def user_changed(**kwargs: Any) -> None:
    if not saved_at_sign_in(kwargs.get("update_fields")):
        endpoints.cache.forget()
