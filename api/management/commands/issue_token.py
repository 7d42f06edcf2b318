"""Issue a token from the shell, for scripts and the README's curl session;
the admin's "Issue a token" does the same for people."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from api.models import Integration
from api.services import IntegrationError, create_integration, issue_token


class Command(BaseCommand):
    help = "Issue a token of a staff integration (made if missing) and print it once."

    def add_arguments(self, parser) -> None:
        parser.add_argument("integration", help="the integration's name")
        parser.add_argument("--user", required=True, help="the staff e-mail it acts as")
        parser.add_argument(
            "--scopes", required=True, help="comma-separated, e.g. licences:write"
        )

    def handle(self, *args, integration: str, user: str, scopes: str, **options):
        staff = User.objects.active_staff().filter(email__iexact=user).first()
        if staff is None:
            raise CommandError(f"No active staff member has the e-mail {user}.")
        try:
            found = Integration.objects.filter(
                name=integration, organisation=None
            ).first() or create_integration(integration, user=staff)
            _token, text = issue_token(found, scopes=scopes.split(","), by=staff)
        except IntegrationError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(text)
