"""Access requests, read by the vendor's CRM: who asked for the portal, with
what licence, and what staff decided."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import AccessRequest
from api.scopes import Scope
from api.serializers import AccessRequestSerializer
from api.views.base import PAGE_SIZE, ApiView, moment, tagged
from tickets import keyset


class AccessRequestList(ApiView):
    required_scopes = {"GET": Scope.ACCESS_REQUESTS_READ}

    @extend_schema(
        operation_id="access_requests_list",
        summary=gettext_lazy("Access requests, newest first"),
        parameters=[
            OpenApiParameter("status", enum=AccessRequest.Status.values),
            OpenApiParameter(
                "created_since",
                str,
                description=gettext_lazy("Only requests made after this moment."),
            ),
            OpenApiParameter(
                "after", str, description=gettext_lazy("The `next` cursor of a page.")
            ),
        ],
        responses=inline_serializer(
            "AccessRequestPage",
            {
                "results": AccessRequestSerializer(many=True),
                "next": serializers.CharField(allow_null=True),
            },
        ),
    )
    def get(self, request: Request) -> Response:
        requests = AccessRequest.objects.select_related("organisation").order_by(
            "-created_at", "-pk"
        )
        query = request.query_params
        status = query.get("status")
        if status is not None:
            if status not in AccessRequest.Status.values:
                raise ValidationError(
                    {
                        "status": [
                            _("Choose one of: %(choices)s.")
                            % {"choices": ", ".join(AccessRequest.Status.values)}
                        ]
                    }
                )
            requests = requests.filter(status=status)
        if "created_since" in query:
            requests = requests.filter(
                created_at__gt=moment(query["created_since"], "created_since")
            )
        if "after" in query:
            cursor = keyset.parse(query["after"])
            if cursor is None or cursor[0] is None:
                raise ValidationError({"after": [_("Not a cursor of this list.")]})
            created_at, pk = cursor
            requests = requests.filter(created_at__lte=created_at).exclude(
                created_at=created_at, pk__gte=pk
            )
        page = list(requests[: PAGE_SIZE + 1])
        next_cursor = None
        if len(page) > PAGE_SIZE:
            last = page[PAGE_SIZE - 1]
            next_cursor = keyset.cursor(last.created_at, last.pk)
        return Response(
            {
                "results": AccessRequestSerializer(page[:PAGE_SIZE], many=True).data,
                "next": next_cursor,
            }
        )


class AccessRequestDetail(ApiView):
    required_scopes = {"GET": Scope.ACCESS_REQUESTS_READ}

    @extend_schema(
        operation_id="access_requests_read",
        summary=gettext_lazy("An access request"),
        responses=AccessRequestSerializer,
    )
    def get(self, request: Request, code: str) -> Response:
        access_request = get_object_or_404(
            AccessRequest.objects.select_related("organisation"), code=code
        )
        return tagged(request, AccessRequestSerializer(access_request).data)
