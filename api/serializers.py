"""What the API reads and answers: tickets, licences, organisations,
contacts and access requests as an integration sees them."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import (
    AccessRequest,
    Licence,
    Membership,
    Organisation,
    SubscriptionPeriod,
    User,
)
from tickets.models import Attachment, Message, Ticket


class AttachmentSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="original_name")
    url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ["name", "size", "content_type", "url"]

    def get_url(self, attachment: Attachment) -> str:
        request = self.context["request"]
        return request.build_absolute_uri(
            reverse(
                "api:attachment",
                args=[self.context["ticket"].reference, attachment.code],
            )
        )


class MessageSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="code")
    author = serializers.CharField(source="author.get_full_name")
    from_support = serializers.BooleanField(source="author.is_staff")
    attachments = AttachmentSerializer(many=True)

    class Meta:
        model = Message
        fields = [
            "id",
            "kind",
            "author",
            "from_support",
            "body",
            "channel",
            "created_at",
            "attachments",
        ]


class TicketSummarySerializer(serializers.ModelSerializer):
    organisation = serializers.CharField(source="organisation.name")
    organisation_tax_id = serializers.CharField(source="organisation.tax_id")
    licence = serializers.CharField(source="licence.number")
    contact = serializers.EmailField(source="contact.email")

    class Meta:
        model = Ticket
        fields = [
            "reference",
            "subject",
            "status",
            "priority",
            "category",
            "channel",
            "organisation",
            "organisation_tax_id",
            "licence",
            "contact",
            "created_at",
            "last_activity_at",
            "sla_due_at",
        ]


class TicketSerializer(TicketSummarySerializer):
    messages = serializers.SerializerMethodField()

    class Meta(TicketSummarySerializer.Meta):
        fields = [*TicketSummarySerializer.Meta.fields, "messages"]

    @extend_schema_field(MessageSerializer(many=True))
    def get_messages(self, ticket: Ticket) -> list[dict]:
        return MessageSerializer(
            self.context["messages"], many=True, context=self.context
        ).data


class NewTicketSerializer(serializers.Serializer):
    licence = serializers.CharField(max_length=64, help_text="The licence number.")
    subject = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=20000)
    category = serializers.ChoiceField(choices=Ticket.Category.choices)
    priority = serializers.ChoiceField(
        choices=Ticket.Priority.choices, default=Ticket.Priority.NORMAL
    )
    contact = serializers.EmailField(
        required=False,
        help_text=(
            "The contact the ticket is for; an organisation's token: its own "
            "user unless given, a staff token: required."
        ),
    )


class NewMessageSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=20000)
    internal = serializers.BooleanField(
        default=False, help_text="An internal note (staff tokens only)."
    )


class TicketChangeSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Ticket.Status.choices, required=False)
    priority = serializers.ChoiceField(choices=Ticket.Priority.choices, required=False)
    category = serializers.ChoiceField(choices=Ticket.Category.choices, required=False)
    assignee = serializers.EmailField(
        required=False,
        allow_null=True,
        allow_blank=True,
        help_text="A staff member's e-mail; null or empty to unassign.",
    )


class PeriodSerializer(serializers.ModelSerializer):
    class Meta:
        model = SubscriptionPeriod
        fields = ["kind", "starts_on", "ends_on", "reference"]


class LicenceSerializer(serializers.ModelSerializer):
    organisation_tax_id = serializers.CharField(source="organisation.tax_id")
    organisation = serializers.CharField(source="organisation.name")
    support_ends_on = serializers.DateField(allow_null=True)
    subscription_active = serializers.SerializerMethodField()
    periods = PeriodSerializer(many=True, source="subscription_periods")

    class Meta:
        model = Licence
        fields = [
            "number",
            "organisation_tax_id",
            "organisation",
            "product",
            "edition",
            "purchased_on",
            "seats",
            "scope",
            "support_ends_on",
            "subscription_active",
            "periods",
            "updated_at",
        ]

    def get_subscription_active(self, licence: Licence) -> bool:
        return licence.subscription_active()


class RenewalSerializer(serializers.Serializer):
    reference = serializers.CharField(
        max_length=100,
        help_text=(
            "The billing system's order: a renewal sent again with the same "
            "reference is not added twice."
        ),
    )
    years = serializers.IntegerField(min_value=1, max_value=10)
    paid_on = serializers.DateField(
        help_text=(
            "The renewal day: the period starts the day after support ends, or "
            "on this day if support had lapsed."
        )
    )


class LicenceFieldsSerializer(serializers.Serializer):
    """A licence as the billing system sends it, its number in the URL."""

    tax_id = serializers.CharField(
        max_length=12, help_text="The owning organisation's tax id (INN)."
    )
    organisation = serializers.CharField(
        max_length=300,
        required=False,
        allow_blank=True,
        help_text="The organisation's name: needed only when its tax id is new.",
    )
    product = serializers.CharField(max_length=200)
    edition = serializers.CharField(max_length=200, required=False, allow_blank=True)
    purchased_on = serializers.DateField()
    seats = serializers.IntegerField(
        min_value=0, max_value=999_999_999, required=False, allow_null=True
    )
    scope = serializers.CharField(max_length=300, required=False, allow_blank=True)
    renewals = RenewalSerializer(many=True, required=False, max_length=100)


class LicenceItemSerializer(LicenceFieldsSerializer):
    number = serializers.CharField(max_length=64)


class LicenceBulkSerializer(serializers.Serializer):
    licences = serializers.ListField(
        child=serializers.DictField(),
        min_length=1,
        max_length=1000,
        help_text="Up to 1,000 licences, each as in `PUT /licences/{number}/`.",
    )


class LicenceResultSerializer(serializers.Serializer):
    number = serializers.CharField()
    result = serializers.ChoiceField(
        choices=["created", "changed", "unchanged", "invalid"]
    )
    renewals_added = serializers.IntegerField()
    support_ends_on = serializers.DateField(allow_null=True)
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField())
    )


class OrganisationSerializer(serializers.ModelSerializer):
    email_domains = serializers.ListField(
        child=serializers.CharField(max_length=253),
        required=False,
        max_length=100,
        help_text="Addresses from these domains with a licence of the organisation "
        "are invited without review.",
    )

    class Meta:
        model = Organisation
        fields = [
            "tax_id",
            "external_id",
            "name",
            "address",
            "email_domains",
            "is_active",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        # The organisation is found by the URL; its uniqueness is the
        # service's to check.
        extra_kwargs = {
            "tax_id": {"validators": [], "required": False},
            "external_id": {"validators": []},
        }

    def to_representation(self, organisation: Organisation) -> dict:
        data = super().to_representation(organisation)
        data["email_domains"] = [
            line.strip()
            for line in organisation.email_domains.splitlines()
            if line.strip()
        ]
        return data


class ContactSerializer(serializers.ModelSerializer):
    organisation_tax_id = serializers.CharField(
        source="membership.organisation.tax_id", max_length=12
    )
    role = serializers.ChoiceField(
        source="membership.role", choices=Membership.Role.choices, required=False
    )
    phone = serializers.CharField(required=False, allow_blank=True, max_length=32)

    class Meta:
        model = User
        fields = [
            "email",
            "full_name",
            "position",
            "phone",
            "language",
            "organisation_tax_id",
            "role",
            "is_active",
            "created_at",
        ]
        read_only_fields = ["email", "created_at"]

    def to_representation(self, user: User) -> dict:
        data = super().to_representation(user)
        data["phone"] = str(user.phone or "")
        return data


class AccessRequestSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="code")
    phone = serializers.SerializerMethodField()
    organisation_tax_id = serializers.CharField(
        source="organisation.tax_id", allow_null=True, default=None
    )

    class Meta:
        model = AccessRequest
        fields = [
            "id",
            "status",
            "organisation_name",
            "tax_id",
            "full_name",
            "position",
            "email",
            "phone",
            "licence_number",
            "language",
            "organisation_tax_id",
            "created_at",
            "decided_at",
            "decline_reason",
        ]

    def get_phone(self, access_request: AccessRequest) -> str:
        return str(access_request.phone or "")
