"""Licences pushed by the vendor's billing system: one by number, or up to
1,000 at once with each one's result (`accounts.licence_sync`)."""

from __future__ import annotations

from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.licence_sync import Item, Renewal, sync_licences
from accounts.models import Licence
from accounts.validators import normalise_licence_number
from api.idempotency import idempotent
from api.records import record
from api.scopes import Scope
from api.serializers import (
    LicenceBulkSerializer,
    LicenceFieldsSerializer,
    LicenceItemSerializer,
    LicenceResultSerializer,
    LicenceSerializer,
)
from api.views.base import ApiView, check_if_match, tagged

# The field each of the import's checks is about (`licence_import.MESSAGES`).
_FIELD_OF = {
    "bad_number": "number",
    "duplicate": "number",
    "bad_tax_id": "tax_id",
    "other_organisation": "tax_id",
    "bad_date": "purchased_on",
    "purchase_date_changed": "purchased_on",
    "bad_seats": "seats",
    "organisation_name_missing": "organisation",
}


def _licences():
    return Licence.objects.with_periods().select_related("organisation")


def _item(number: str, data: dict) -> Item:
    seats = data.get("seats")
    values = {
        "number": number,
        "tax_id": data["tax_id"],
        "organisation": data.get("organisation", ""),
        "product": data["product"],
        "edition": data.get("edition", ""),
        "purchased_on": data["purchased_on"].isoformat(),
        "seats": "" if seats is None else str(seats),
        "scope": data.get("scope", ""),
    }
    renewals = [
        Renewal(reference=r["reference"], years=r["years"], paid_on=r["paid_on"])
        for r in data.get("renewals", [])
    ]
    return Item(values={k: v.strip() for k, v in values.items()}, renewals=renewals)


def _errors(item: Item) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for (code, params), text in zip(item.row.errors, item.errors(), strict=True):
        field = params.get("column") or _FIELD_OF.get(code, "")
        errors.setdefault(field, []).append(text)
    return errors


def _record(request: Request, items: list[Item]) -> None:
    for action, created in (("create", True), ("change", False)):
        record(
            request,
            [item.licence for item in items if item.row.action == action],
            created=created,
        )
    renewed: dict[int, list[Licence]] = {}
    for item in items:
        if item.renewals_added:
            renewed.setdefault(item.renewals_added, []).append(item.licence)
    for count, licences in renewed.items():
        record(
            request,
            licences,
            created=False,
            what=_("Subscription renewed (%(count)d).") % {"count": count},
        )


class LicenceDetail(ApiView):
    required_scopes = {"GET": Scope.LICENCES_WRITE, "PUT": Scope.LICENCES_WRITE}

    @extend_schema(
        operation_id="licences_read",
        summary=gettext_lazy("A licence with its subscription periods"),
        responses=LicenceSerializer,
    )
    def get(self, request: Request, number: str) -> Response:
        licence = get_object_or_404(
            _licences(), number=normalise_licence_number(number)
        )
        return tagged(request, LicenceSerializer(licence).data)

    @extend_schema(
        operation_id="licences_upsert",
        summary=gettext_lazy("Create or change a licence, and add its renewals"),
        description=gettext_lazy(
            "A new licence comes with a year of support from its purchase; each "
            "renewal not yet recorded (by its `reference`) adds its years after "
            "the last covered day, as a renewal in the admin does. Sending the "
            "same body again changes nothing. `If-Match` with the ETag read "
            "refuses (412) a licence changed since."
        ),
        request=LicenceFieldsSerializer,
        responses={200: LicenceSerializer, 201: LicenceSerializer},
    )
    def put(self, request: Request, number: str) -> Response:
        number = normalise_licence_number(number)
        form = LicenceFieldsSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        item = _item(number, form.validated_data)
        with transaction.atomic():
            current = _licences().select_for_update(of=("self",)).filter(number=number)
            current = current.first()
            check_if_match(
                request, LicenceSerializer(current).data if current else None
            )
            sync_licences([item], by=request.user)
            if item.row.action == "invalid":
                raise ValidationError(_errors(item))
            _record(request, [item])
        return tagged(
            request,
            LicenceSerializer(item.licence).data,
            status=201 if item.row.action == "create" else 200,
        )


class LicenceBulk(ApiView):
    required_scopes = {"POST": Scope.LICENCES_WRITE}

    @extend_schema(
        operation_id="licences_bulk_upsert",
        summary=gettext_lazy("Create or change up to 1,000 licences at once"),
        description=gettext_lazy(
            "Each licence is checked and written on its own: the answer gives "
            "each one's result in the order sent, and an invalid one does not "
            "stop the others."
        ),
        request=LicenceBulkSerializer,
        responses=inline_serializer(
            "LicenceBulkResult",
            {
                "results": LicenceResultSerializer(many=True),
                "summary": serializers.DictField(child=serializers.IntegerField()),
            },
        ),
    )
    @idempotent
    def post(self, request: Request) -> Response:
        form = LicenceBulkSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        entries: list[tuple[str, Item | None, dict]] = []
        # One serializer checks every item: a new one per item would build
        # its fields a thousand times.
        checker = LicenceItemSerializer()
        for raw in form.validated_data["licences"]:
            try:
                data = checker.run_validation(raw)
            except ValidationError as error:
                entries.append((str(raw.get("number", ""))[:64], None, error.detail))
                continue
            number = normalise_licence_number(data["number"])
            entries.append((number, _item(number, data), {}))
        items = [item for _number, item, _errors in entries if item is not None]
        with transaction.atomic():
            sync_licences(items, by=request.user)
            _record(request, items)
        results = []
        for number, item, errors in entries:
            if item is None:
                results.append(_result(number, "invalid", errors=errors))
                continue
            errors = _errors(item)
            licence = item.licence
            results.append(
                _result(
                    item.row.number,
                    item.result,
                    renewals_added=item.renewals_added,
                    support_ends_on=licence.support_ends_on if licence else None,
                    errors=errors,
                )
            )
        summary = dict.fromkeys(("created", "changed", "unchanged", "invalid"), 0)
        for result in results:
            summary[result["result"]] += 1
        return Response({"results": results, "summary": summary})


def _result(
    number: str,
    result: str,
    *,
    renewals_added: int = 0,
    support_ends_on=None,
    errors: dict,
) -> dict:
    return {
        "number": number,
        "result": result,
        "renewals_added": renewals_added,
        "support_ends_on": support_ends_on.isoformat() if support_ends_on else None,
        "errors": _flat(errors),
    }


def _flat(errors: object, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested errors as one level: {"renewals[0].years": [...]}."""
    flat: dict[str, list[str]] = {}
    if isinstance(errors, dict):
        for key, value in errors.items():
            if isinstance(key, int):  # an item of a list, as DRF names it
                path = f"{prefix}[{key}]"
            else:
                name = "" if key == "non_field_errors" else str(key)
                path = f"{prefix}.{name}" if prefix and name else prefix or name
            for inner, texts in _flat(value, path).items():
                flat.setdefault(inner, []).extend(texts)
    elif isinstance(errors, list) and any(isinstance(e, dict | list) for e in errors):
        for index, value in enumerate(errors):
            for inner, texts in _flat(value, f"{prefix}[{index}]").items():
                flat.setdefault(inner, []).extend(texts)
    elif isinstance(errors, list):
        flat[prefix] = [str(e) for e in errors]
    else:
        flat[prefix] = [str(errors)]
    return flat
