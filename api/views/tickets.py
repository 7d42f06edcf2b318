"""Tickets: each view names the scope it needs and reads through the same
`visible_to` as the portal's pages."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import Licence, User
from accounts.validators import normalise_licence_number
from api.idempotency import idempotent
from api.scopes import Scope
from api.serializers import (
    MessageSerializer,
    NewMessageSerializer,
    NewTicketSerializer,
    TicketChangeSerializer,
    TicketSerializer,
    TicketSummarySerializer,
)
from api.views.base import (
    PAGE_SIZE,
    ApiView,
    Unprocessable,
    check_if_match,
    moment,
    tagged,
)
from tickets import keyset, services
from tickets.downloads import attachment_response
from tickets.models import Attachment, Message, Ticket

# What `TicketSummarySerializer` answers, each key's column: the list reads
# them as values and writes them as it would, without a model instance or a
# serializer field a row (the bench's api_ticket_list target, bench/README;
# tests/api/test_tickets.py checks the two agree).
SUMMARY = {
    "reference": "reference",
    "subject": "subject",
    "status": "status",
    "priority": "priority",
    "category": "category",
    "channel": "channel",
    "organisation": "organisation__name",
    "organisation_tax_id": "organisation__tax_id",
    "licence": "licence__number",
    "contact": "contact__email",
    "created_at": "created_at",
    "last_activity_at": "last_activity_at",
    "sla_due_at": "sla_due_at",
}
_MOMENTS = {"created_at", "last_activity_at", "sla_due_at"}
_ACTIVITY = 1 + list(SUMMARY).index("last_activity_at")


def summaries(rows: list[tuple]) -> list[dict]:
    """Rows of `values_list("pk", *SUMMARY.values())` as the serializer's dicts."""
    moment = serializers.DateTimeField().to_representation
    names = list(SUMMARY)
    return [
        {
            name: (moment(value) if value is not None else None)
            if name in _MOMENTS
            else value
            for name, value in zip(names, row[1:], strict=True)
        }
        for row in rows
    ]


class TicketList(ApiView):
    required_scopes = {"GET": Scope.TICKETS_READ, "POST": Scope.TICKETS_WRITE}

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
        # Read as values (`SUMMARY`), which join what they name.
        tickets = Ticket.objects.visible_to(request.user)
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
            since = moment(query["updated_since"], "updated_since")
            tickets = tickets.filter(last_activity_at__gt=since)
        tickets = tickets.latest_activity_first()
        if "after" in query:
            cursor = keyset.parse(query["after"])
            if cursor is None or cursor[0] is None:
                raise ValidationError({"after": [_("Not a cursor of this list.")]})
            tickets = tickets.active_before(*cursor)
        page = list(tickets.values_list("pk", *SUMMARY.values())[: PAGE_SIZE + 1])
        next_cursor = None
        if len(page) > PAGE_SIZE:
            last = page[PAGE_SIZE - 1]
            next_cursor = keyset.cursor(last[_ACTIVITY], last[0])
        return Response({"results": summaries(page[:PAGE_SIZE]), "next": next_cursor})

    @extend_schema(
        operation_id="tickets_create",
        summary=gettext_lazy("File a ticket"),
        request=NewTicketSerializer,
        responses={201: TicketSerializer},
    )
    @idempotent
    def post(self, request: Request) -> Response:
        form = NewTicketSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        contact = _contact(request, data.get("contact"))
        licence = Licence.objects.filter(
            number=normalise_licence_number(data["licence"]),
            organisation_id=contact.membership.organisation_id,
        ).first()
        if licence is None:
            raise ValidationError(
                {
                    "licence": [
                        _(
                            "No licence with this number is the contact's organisation's."
                        )
                    ]
                }
            )
        try:
            ticket = services.open_ticket(
                contact=contact,
                licence=licence,
                subject=data["subject"],
                description=data["description"],
                category=data["category"],
                priority=data["priority"],
                channel=Ticket.Channel.API,
                filed_by=request.user,
            )
        except services.TicketError as error:
            raise Unprocessable(str(error)) from error
        ticket = _ticket(request, ticket.reference)
        response = Response(
            TicketSerializer(ticket, context=_context(request, ticket)).data,
            status=201,
        )
        response["Location"] = request.build_absolute_uri(
            reverse("api:ticket", args=[ticket.reference])
        )
        return response


def _contact(request: Request, email: str | None) -> User:
    """Whom a ticket is for: an active contact the token's user may file for."""
    user = request.user
    if email is None:
        if user.is_staff:
            raise ValidationError({"contact": [_("A staff token names the contact.")]})
        return user
    contacts = (
        User.objects.contacts()
        if user.is_staff
        else User.objects.contacts_of(user.membership.organisation_id)
    )
    contact = contacts.filter(email__iexact=email).select_related("membership").first()
    if contact is None:
        raise ValidationError(
            {
                "contact": [
                    _("No active contact with this e-mail that you may file for.")
                ]
            }
        )
    return contact


def _context(request: Request, ticket: Ticket) -> dict:
    return {
        "request": request,
        "ticket": ticket,
        "messages": list(_messages(request, ticket)),
    }


def _ticket(request: Request, reference: str, *, lock: bool = False) -> Ticket:
    tickets = Ticket.objects.visible_to(request.user)
    if lock:
        # Read and changed in one transaction: `If-Match` compares the
        # version no one else can change before this request has.
        tickets = tickets.select_for_update(of=("self",))
    return get_object_or_404(
        tickets.select_related("organisation", "licence", "contact"),
        reference=reference,
    )


def _messages(request: Request, ticket: Ticket):
    # Internal notes never reach a customer's token.
    messages = (
        Message.objects.visible_to(request.user)
        .filter(ticket=ticket)
        .select_related("author")
    )
    return messages.prefetch_related(
        Prefetch("attachments", queryset=Attachment.objects.order_by("pk"))
    )


class TicketDetail(ApiView):
    required_scopes = {"GET": Scope.TICKETS_READ, "PATCH": Scope.TICKETS_WRITE}

    @extend_schema(
        operation_id="tickets_read",
        summary=gettext_lazy(
            "A ticket with its messages (internal notes for staff tokens only)"
        ),
        responses=TicketSerializer,
    )
    def get(self, request: Request, reference: str) -> Response:
        return tagged(request, _representation(request, _ticket(request, reference)))

    @extend_schema(
        operation_id="tickets_update",
        summary=gettext_lazy(
            "Change a ticket: an organisation's token may close it; a staff "
            "token sets status, priority, category and assignee"
        ),
        description=gettext_lazy(
            "Send the ETag of the ticket as read in `If-Match` to be refused "
            "(412) if it has changed since."
        ),
        request=TicketChangeSerializer,
        responses=TicketSerializer,
    )
    def patch(self, request: Request, reference: str) -> Response:
        form = TicketChangeSerializer(data=request.data, partial=True)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        with transaction.atomic():
            ticket = _ticket(request, reference, lock=True)
            check_if_match(request, _representation(request, ticket))
            try:
                _change(request, ticket, data)
            except services.TicketError as error:
                raise Unprocessable(str(error)) from error
        ticket = _ticket(request, reference)
        return tagged(request, _representation(request, ticket))


def _change(request: Request, ticket: Ticket, data: dict) -> None:
    user = request.user
    if not user.is_staff:
        if set(data) - {"status"}:
            raise PermissionDenied(
                _("An organisation's token may only close a ticket.")
            )
        if data.get("status", Ticket.Status.CLOSED) != Ticket.Status.CLOSED:
            raise PermissionDenied(
                _("An organisation's token may only close a ticket.")
            )
        if "status" in data and ticket.status != Ticket.Status.CLOSED:
            services.close_ticket(ticket, by=user)
        return
    changes = {name: data[name] for name in ("priority", "category") if name in data}
    if "assignee" in data:
        changes["assignee"] = _assignee(data["assignee"])
    services.update_ticket(ticket, by=user, status=data.get("status", ""), **changes)


def _assignee(email: str | None) -> User | None:
    if not email:
        return None
    agent = User.objects.active_staff().filter(email__iexact=email).first()
    if agent is None:
        raise ValidationError(
            {"assignee": [_("No active staff member has this e-mail.")]}
        )
    return agent


def _representation(request: Request, ticket: Ticket) -> dict:
    return TicketSerializer(ticket, context=_context(request, ticket)).data


class TicketMessages(ApiView):
    required_scopes = {"POST": Scope.TICKETS_WRITE}

    @extend_schema(
        operation_id="tickets_reply",
        summary=gettext_lazy(
            "Add a message: the customer's, or a reply or internal note for staff tokens"
        ),
        request=NewMessageSerializer,
        responses={201: MessageSerializer},
    )
    @idempotent
    def post(self, request: Request, reference: str) -> Response:
        ticket = _ticket(request, reference)
        form = NewMessageSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        internal = form.validated_data["internal"]
        if internal and not request.user.is_staff:
            raise ValidationError({"internal": [_("Only staff add internal notes.")]})
        try:
            message = services.add_message(
                ticket,
                author=request.user,
                body=form.validated_data["body"],
                internal=internal,
                channel=Ticket.Channel.API,
            )
        except services.TicketError as error:
            raise Unprocessable(str(error)) from error
        return Response(
            MessageSerializer(message, context=_context(request, ticket)).data,
            status=201,
        )


class AttachmentDownload(ApiView):
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
        return attachment_response(attachment)
