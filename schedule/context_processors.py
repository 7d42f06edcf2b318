from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from schedule import current, texts
from schedule.hours import MOSCOW


def support_hours(request: HttpRequest) -> dict:
    """The banner on every page; lazy, so pages that do not show it pay nothing."""

    def make_banner() -> texts.Banner:
        at = timezone.now()
        return texts.banner(current.status(at), at.astimezone(MOSCOW).date())

    return {"support_hours": SimpleLazyObject(make_banner)}
