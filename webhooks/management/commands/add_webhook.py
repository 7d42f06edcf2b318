"""Add a webhook endpoint to a staff integration from the shell, for scripts
and the README's session; the admin and the portal do it for people."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from api.models import Integration
from webhooks.models import EventType
from webhooks.services import WebhookError, create_endpoint


class Command(BaseCommand):
    help = "Add an endpoint to a staff integration and print its secret once."

    def add_arguments(self, parser) -> None:
        parser.add_argument("integration", help="the staff integration's name")
        parser.add_argument("url")
        parser.add_argument(
            "--events",
            default=",".join(EventType.values),
            help="comma-separated event types; default: all",
        )

    def handle(self, *args, integration: str, url: str, events: str, **options):
        found = Integration.objects.filter(name=integration, organisation=None).first()
        if found is None:
            raise CommandError(f"No staff integration is named {integration}.")
        chosen = events.split(",")
        unknown = set(chosen) - set(EventType.values)
        if unknown:
            raise CommandError(f"Unknown events: {', '.join(sorted(unknown))}.")
        try:
            endpoint = create_endpoint(found, url=url, event_types=chosen)
        except WebhookError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(endpoint.secret)
