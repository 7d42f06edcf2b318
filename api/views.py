"""`/api/v1/`: each view names the scope it needs and reads through the same
`visible_to` as the portal's pages."""

from __future__ import annotations

import datetime

from django.db.models import Prefetch
from django.http import FileResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.scopes import Scope
from api.serializers import TicketSerializer, TicketSummarySerializer
from tickets import keyset
from tickets.downloads import signed_download_url
from tickets.models import Attachment, Message, Ticket

PAGE_SIZE = 50


class TicketList(APIView):
    required_scopes = {"GET": Scope.TICKETS_READ}

    @extend_schema(
        operation_id="tickets_list",
        summary=gettext_lazy("Tickets the token may see, latest activity first"),
        parameters=[
            OpenApiParameter("status", enum=Ticket.Status.values),
            OpenApiParameter("priority", enum=Ticket.Priority.values),
            OpenApiParameter("category", enum=Ticket.Category.values),
            OpenApiParameter(
                "open", bool, description=gettext_lazy("Only tickets not yet solved.")
            ),
            OpenApiParameter(
                "updated_since",
                datetime.datetime,
                description=gettext_lazy(
                    "Only tickets with public activity after this moment."
                ),
            ),
            OpenApiParameter(
                "after", str, description=gettext_lazy("The `next` cursor of a page.")
            ),
        ],
        responses=inline_serializer(
            "TicketPage",
            {
                "results": TicketSummarySerializer(many=True),
                "next": serializers.CharField(allow_null=True),
            },
        ),
    )
    def get(self, request: Request) -> Response:
        tickets = Ticket.objects.visible_to(request.user).select_related(
            "organisation", "licence", "contact"
        )
        query = request.query_params
        for name, choices in (
            ("status", Ticket.Status.values),
            ("priority", Ticket.Priority.values),
            ("category", Ticket.Category.values),
        ):
            value = query.get(name)
            if value is None:
                continue
            if value not in choices:
                raise ValidationError(
                    {
                        name: [
                            _("Choose one of: %(choices)s.")
                            % {"choices": ", ".join(choices)}
                        ]
                    }
                )
            tickets = tickets.filter(**{name: value})
        if query.get("open") in ("true", "1"):
            tickets = tickets.open()
        if "updated_since" in query:
            since = _moment(query["updated_since"], "updated_since")
            tickets = tickets.filter(last_activity_at__gt=since)
        tickets = tickets.latest_activity_first()
        if "after" in query:
            cursor = keyset.parse(query["after"])
            if cursor is None or cursor[0] is None:
                raise ValidationError({"after": [_("Not a cursor of this list.")]})
            tickets = tickets.active_before(*cursor)
        page = list(tickets[: PAGE_SIZE + 1])
        next_cursor = None
        if len(page) > PAGE_SIZE:
            last = page[PAGE_SIZE - 1]
            next_cursor = keyset.cursor(last.last_activity_at, last.pk)
        return Response(
            {
                "results": TicketSummarySerializer(page[:PAGE_SIZE], many=True).data,
                "next": next_cursor,
            }
        )


def _moment(text: str, name: str) -> datetime.datetime:
    try:
        moment = datetime.datetime.fromisoformat(text)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise ValidationError(
            {name: [_("A moment with its time zone, e.g. 2026-12-01T09:00:00+03:00.")]}
        )
    return moment


def _ticket(request: Request, reference: str) -> Ticket:
    return get_object_or_404(
        Ticket.objects.visible_to(request.user).select_related(
            "organisation", "licence", "contact"
        ),
        reference=reference,
    )


def _messages(request: Request, ticket: Ticket):
    messages = Message.objects.filter(ticket=ticket).select_related("author")
    if not request.user.is_staff:
        # Internal notes never reach a customer's token.
        messages = messages.public()
    return messages.prefetch_related(
        Prefetch("attachments", queryset=Attachment.objects.order_by("pk"))
    )


class TicketDetail(APIView):
    required_scopes = {"GET": Scope.TICKETS_READ}

    @extend_schema(
        operation_id="tickets_read",
        summary=gettext_lazy(
            "A ticket with its messages (internal notes for staff tokens only)"
        ),
        responses=TicketSerializer,
    )
    def get(self, request: Request, reference: str) -> Response:
        ticket = _ticket(request, reference)
        context = {
            "request": request,
            "ticket": ticket,
            "messages": list(_messages(request, ticket)),
        }
        return Response(TicketSerializer(ticket, context=context).data)


class AttachmentDownload(APIView):
    required_scopes = {"GET": Scope.TICKETS_READ}

    @extend_schema(
        operation_id="tickets_attachment",
        summary=gettext_lazy("An attachment's file"),
        responses={(200, "application/octet-stream"): bytes},
    )
    def get(self, request: Request, reference: str, code: str):
        ticket = _ticket(request, reference)
        attachment = get_object_or_404(
            Attachment.objects.filter(message__in=_messages(request, ticket)),
            code=code,
        )
        signed = signed_download_url(
            attachment.file,
            filename=attachment.original_name,
            content_type=attachment.content_type,
            as_attachment=True,
        )
        if signed is not None:
            return HttpResponseRedirect(signed)
        return FileResponse(
            attachment.file.open("rb"),
            as_attachment=True,
            filename=attachment.original_name,
            content_type=attachment.content_type,
        )
