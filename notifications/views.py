"""Staff's notifications: the list, opening one, the preferences, and
following a ticket."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from accounts.decorators import staff_required
from notifications import services
from notifications.forms import PreferencesForm
from notifications.models import Notification
from tickets import keyset
from tickets.models import NotificationSettings
from tickets.views.customer import get_ticket_for_user

NOTIFICATIONS_PER_PAGE = 25


@require_safe
@staff_required
def notification_list(request: HttpRequest) -> HttpResponse:
    """The person's notifications, newest first; "Older" goes on from the
    last one shown (the `notification_newest` index)."""
    notifications = (
        Notification.objects.of(request.user)
        .select_related("ticket")
        .only(
            "code",
            "kind",
            "title",
            "text",
            "created_at",
            "read_at",
            "ticket__reference",
            "ticket__subject",
        )
        .newest_first()
    )
    first_url = next_url = ""
    after = keyset.parse(request.GET.get("after", ""))
    if after and after[0]:
        notifications = notifications.before(*after)
        first_url = "?"
    page = list(notifications[: NOTIFICATIONS_PER_PAGE + 1])
    if len(page) > NOTIFICATIONS_PER_PAGE:
        last = page[NOTIFICATIONS_PER_PAGE - 1]
        next_url = "?" + urlencode({"after": keyset.cursor(last.created_at, last.pk)})
    return render(
        request,
        "notifications/notification_list.html",
        {
            "notifications": page[:NOTIFICATIONS_PER_PAGE],
            "first_url": first_url,
            "next_url": next_url,
        },
    )


@require_POST
@staff_required
def open_notification(request: HttpRequest, code: str) -> HttpResponse:
    """Mark it read and go to its ticket."""
    notification = get_object_or_404(
        Notification.objects.of(request.user).select_related("ticket"), code=code
    )
    services.mark_read(notification)
    return redirect(notification.ticket)


@require_POST
@staff_required
def read_all(request: HttpRequest) -> HttpResponse:
    services.mark_all_read(request.user)
    return redirect("notifications:list")


@staff_required
def preferences(request: HttpRequest) -> HttpResponse:
    settings = NotificationSettings.objects.filter(user=request.user).first()
    initial = PreferencesForm.initial_from(
        services.preferences_of(request.user),
        customer_message_email=settings is None or settings.on_customer_message,
    )
    form = PreferencesForm(
        request.POST if request.method == "POST" else None, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        services.save_preferences(
            request.user,
            muted_in_app=form.muted("in_app"),
            muted_email=form.muted("email"),
            quiet_from=form.cleaned_data["quiet_from"],
            quiet_to=form.cleaned_data["quiet_to"],
        )
        messages.success(request, _("Your notification preferences have been saved."))
        return redirect("notifications:settings")
    return render(request, "notifications/preferences.html", {"form": form})


@require_POST
@staff_required
def follow(request: HttpRequest, reference: str) -> HttpResponse:
    ticket = get_ticket_for_user(request.user, reference)
    services.follow_ticket(ticket, by=request.user)
    return redirect(ticket)


@require_POST
@staff_required
def unfollow(request: HttpRequest, reference: str) -> HttpResponse:
    ticket = get_ticket_for_user(request.user, reference)
    services.unfollow_ticket(ticket, by=request.user)
    return redirect(ticket)
