from __future__ import annotations

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseForbidden,
)
from django.shortcuts import redirect, render
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from tickets.models import TelegramLink
from tickets.telegram import linking, updates

# The one-time token shown on the profile page until it is used or expires.
SESSION_TOKEN = "telegram_link_token"


@csrf_exempt
@login_not_required
@require_POST
def webhook(request: HttpRequest) -> HttpResponse:
    """Telegram posts each update here; it is kept, answered 200, processed by a worker."""
    if not settings.TELEGRAM_BOT_TOKEN:
        raise Http404
    secret = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
    if not settings.TELEGRAM_WEBHOOK_SECRET or not constant_time_compare(
        secret, settings.TELEGRAM_WEBHOOK_SECRET
    ):
        return HttpResponseForbidden()
    try:
        payload = json.loads(request.body)
        int(payload["update_id"])
    except (ValueError, KeyError, TypeError):
        return HttpResponseBadRequest()
    updates.receive(payload)
    return HttpResponse()


def telegram_settings(request: HttpRequest) -> HttpResponse:
    """The contact's Telegram page: link a chat by a one-time deep link, or unlink it."""
    if not linking.can_link(request.user):
        raise PermissionDenied
    configured = bool(settings.TELEGRAM_BOT_TOKEN)
    if request.method == "POST":
        if not configured:
            messages.error(request, _("The Telegram bot is not set up on this site."))
        else:
            request.session[SESSION_TOKEN] = linking.issue_token(request.user)
        return redirect("tickets:telegram")
    token = request.session.get(SESSION_TOKEN, "")
    usable = bool(token) and linking.token_is_usable(request.user, token)
    return render(
        request,
        "tickets/telegram.html",
        {
            "link": TelegramLink.objects.filter(user=request.user).first(),
            "deep_link": linking.deep_link(token) if usable else "",
            "configured": configured,
            "bot_username": settings.TELEGRAM_BOT_USERNAME,
            "token_minutes": int(linking.TOKEN_LIFETIME.total_seconds() // 60),
        },
    )


@require_POST
def telegram_disconnect(request: HttpRequest) -> HttpResponse:
    if not linking.can_link(request.user):
        raise PermissionDenied
    if linking.unlink(request.user):
        messages.success(request, _("Telegram is disconnected from your account."))
    return redirect("tickets:telegram")
