"""Conditional GETs for the knowledge base's pages: `ETag`, `Last-Modified`,
`Cache-Control` and `Vary`, so that browsers and proxies revalidate a page
instead of downloading it again.

A page shows more than its articles, so its ETag covers all of it: the
knowledge base's last change (any article or category), the language, who
reads (a customer's name in the header, whether their support is active:
that decides which articles they see), the support-hours banner, the
release (templates) and the browser's CSRF cookie (the page's forms carry
a token made from it). Staff pages also show unread notifications and
are never answered 304; a page with a message to show is not either.

Signed-in readers' pages are `private` (a proxy must not keep one
customer's page for another); every page varies by cookie and language.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.db.models import Max, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import get_language
from django.views.decorators.http import condition

from knowledge.models import Article, Category
from schedule import current, texts
from schedule.hours import MOSCOW


def changed_at(request: HttpRequest) -> datetime.datetime | None:
    """The latest change to any article or category (once a request)."""
    if not hasattr(request, "_knowledge_changed_at"):
        # One query; each maximum is read off its table's index. An article
        # has a category, so none means no article either.
        latest_category = Max("updated_at")
        latest_article = Article.objects.order_by("-updated_at").values("updated_at")
        request._knowledge_changed_at = Category.objects.aggregate(
            latest=Greatest(
                latest_category,
                Coalesce(Subquery(latest_article[:1]), latest_category),
            )
        )["latest"]
    return request._knowledge_changed_at


def _revalidates(request: HttpRequest) -> bool:
    user = request.user
    if user.is_authenticated and user.is_staff:
        return False
    # Counting the messages does not mark them read.
    return not len(messages.get_messages(request))


def page_etag(request: HttpRequest, *args: object, **kwargs: object) -> str | None:
    if not _revalidates(request):
        return None
    user = request.user
    at = timezone.now()
    banner = texts.banner(current.status(at), at.astimezone(MOSCOW).date())
    reader: tuple[object, ...] = ("anonymous",)
    if user.is_authenticated:
        reader = (
            user.pk,
            user.get_short_name(),
            user.email,
            user.managed_membership is not None,
            user.has_active_support(),
        )
    values = (
        changed_at(request),
        get_language(),
        reader,
        banner.message,
        banner.is_open,
        settings.RELEASE,
        request.COOKIES.get(settings.CSRF_COOKIE_NAME, ""),
    )
    return hashlib.sha256(repr(values).encode()).hexdigest()[:32]


def page_last_modified(
    request: HttpRequest, *args: object, **kwargs: object
) -> datetime.datetime | None:
    if not _revalidates(request):
        return None
    # The date says nothing of the banner or of who reads: a request that
    # brings only If-Modified-Since gets the page (with the ETag for next
    # time), never a 304 for a page that may differ.
    if (
        "HTTP_IF_MODIFIED_SINCE" in request.META
        and "HTTP_IF_NONE_MATCH" not in request.META
    ):
        return None
    return changed_at(request)


def conditional_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """ETag and Last-Modified for a knowledge base page, and its caching headers."""
    checked = condition(etag_func=page_etag, last_modified_func=page_last_modified)(
        view
    )

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        response = checked(request, *args, **kwargs)
        if request.user.is_authenticated:
            patch_cache_control(response, private=True, no_cache=True)
        else:
            patch_cache_control(response, public=True, no_cache=True)
        patch_vary_headers(response, ["Cookie", "Accept-Language"])
        return response

    return wrapper
