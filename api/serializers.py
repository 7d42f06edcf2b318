"""What the API answers: tickets as an integration reads them."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

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
