"""Organisations and their contacts, pushed by the vendor's CRM: upserted by
tax id or by the CRM's own id, contacts by e-mail address."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.http import Http404
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from accounts import services
from accounts.models import Organisation, User
from api.records import record
from api.scopes import Scope
from api.serializers import ContactSerializer, OrganisationSerializer
from api.views.base import ApiView, Unprocessable, check_if_match, tagged


def _invalid(error: DjangoValidationError) -> ValidationError:
    return ValidationError(
        error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
    )


class OrganisationDetail(ApiView):
    """Found by tax id; `OrganisationByExternalId` by the CRM's id."""

    required_scopes = {
        "GET": Scope.ORGANISATIONS_WRITE,
        "PUT": Scope.ORGANISATIONS_WRITE,
    }
    lookup = "tax_id"

    def _find(self, key: str, *, lock: bool = False) -> Organisation | None:
        organisations = Organisation.objects.all()
        if lock:
            organisations = organisations.select_for_update()
        return organisations.filter(**{self.lookup: key}).first()

    def get(self, request: Request, key: str) -> Response:
        organisation = self._find(key)
        if organisation is None:
            raise Http404
        return tagged(request, OrganisationSerializer(organisation).data)

    def put(self, request: Request, key: str) -> Response:
        form = OrganisationSerializer(data=request.data, partial=True)
        form.is_valid(raise_exception=True)
        values = dict(form.validated_data)
        if "email_domains" in values:
            values["email_domains"] = "\n".join(values["email_domains"])
        if self.lookup == "tax_id" and values.get("tax_id", key) != key:
            raise ValidationError(
                {"tax_id": [_("The tax id is the one in the address.")]}
            )
        values[self.lookup] = key
        with transaction.atomic():
            current = self._find(key, lock=True)
            check_if_match(
                request, OrganisationSerializer(current).data if current else None
            )
            try:
                organisation, created = services.upsert_organisation(
                    **{self.lookup: key}, values=values
                )
            except DjangoValidationError as error:
                raise _invalid(error) from error
            record(request, [organisation], created=created)
        return tagged(
            request,
            OrganisationSerializer(organisation).data,
            status=201 if created else 200,
        )


class OrganisationByExternalId(OrganisationDetail):
    lookup = "external_id"


def _document(view: type[OrganisationDetail], found_by: object) -> None:
    extend_schema_view(
        get=extend_schema(
            operation_id=f"organisations_read_by_{view.lookup}",
            summary=format_lazy(gettext_lazy("An organisation, found by {}"), found_by),
            responses=OrganisationSerializer,
        ),
        put=extend_schema(
            operation_id=f"organisations_upsert_by_{view.lookup}",
            summary=format_lazy(
                gettext_lazy("Create or change an organisation, found by {}"), found_by
            ),
            description=gettext_lazy(
                "Fields left out keep their values; a new organisation needs a "
                "name (and, found by external id, a tax id). `If-Match` with the "
                "ETag read refuses (412) an organisation changed since."
            ),
            request=OrganisationSerializer,
            responses={200: OrganisationSerializer, 201: OrganisationSerializer},
        ),
    )(view)


_document(OrganisationDetail, gettext_lazy("tax id"))
_document(OrganisationByExternalId, gettext_lazy("external id"))


def _contacts():
    # Contacts only, active or not: a staff account is never reached here.
    return User.objects.filter(
        is_staff=False, is_superuser=False, membership__isnull=False
    ).select_related("membership__organisation")


class ContactDetail(ApiView):
    required_scopes = {
        "GET": Scope.CONTACTS_WRITE,
        "PUT": Scope.CONTACTS_WRITE,
        "DELETE": Scope.CONTACTS_WRITE,
    }

    def _find(self, email: str, *, lock: bool = False) -> User | None:
        contacts = _contacts()
        if lock:
            contacts = contacts.select_for_update(of=("self",))
        return contacts.filter(email__iexact=email.strip()).first()

    @extend_schema(
        operation_id="contacts_read",
        summary=gettext_lazy("A contact of an organisation"),
        responses=ContactSerializer,
    )
    def get(self, request: Request, email: str) -> Response:
        contact = self._find(email)
        if contact is None:
            raise Http404
        return tagged(request, ContactSerializer(contact).data)

    @extend_schema(
        operation_id="contacts_upsert",
        summary=gettext_lazy("Create or change a contact"),
        description=gettext_lazy(
            "A new contact has no password: it is known to e-mail, Telegram and "
            "phone support, and gets the portal by asking for access or by an "
            "invitation. `is_active: false` deactivates it, `true` opens it again."
        ),
        request=ContactSerializer,
        responses={200: ContactSerializer, 201: ContactSerializer},
    )
    def put(self, request: Request, email: str) -> Response:
        form = ContactSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        membership = data.get("membership", {})
        tax_id = membership["organisation"]["tax_id"]
        organisation = Organisation.objects.filter(tax_id=tax_id).first()
        if organisation is None:
            raise ValidationError(
                {"organisation_tax_id": [_("No organisation has this tax id.")]}
            )
        with transaction.atomic():
            current = self._find(email, lock=True)
            check_if_match(
                request, ContactSerializer(current).data if current else None
            )
            try:
                contact, created = services.upsert_contact(
                    email,
                    organisation=organisation,
                    full_name=data["full_name"],
                    position=data.get("position", ""),
                    phone=data.get("phone", ""),
                    language=data.get("language"),
                    role=membership.get("role"),
                    by=request.user,
                )
                active = data.get("is_active")
                if active is False:
                    services.deactivate_account(contact, by=request.user)
                elif active is True and not contact.is_active:
                    services.reactivate_account(contact, by=request.user)
            except DjangoValidationError as error:
                raise _invalid(error) from error
            except services.AccountsError as error:
                raise Unprocessable(str(error)) from error
            record(request, [contact], created=created)
        contact = self._find(contact.email)
        return tagged(
            request, ContactSerializer(contact).data, status=201 if created else 200
        )

    @extend_schema(
        operation_id="contacts_deactivate",
        summary=gettext_lazy(
            "Deactivate a contact: no more sign-in or tickets; the account stays "
            "for the history of its tickets"
        ),
        responses={204: None},
    )
    def delete(self, request: Request, email: str) -> Response:
        with transaction.atomic():
            contact = self._find(email, lock=True)
            if contact is None:
                raise Http404
            check_if_match(request, ContactSerializer(contact).data)
            services.deactivate_account(contact, by=request.user)
        return Response(status=204)
