from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.demo import load_demo_accounts
from tickets.demo import load_demo_tickets


class Command(BaseCommand):
    help = "Load demo organisations, licences, contacts, staff and tickets; safe to run again."

    def handle(self, *args: object, **options: object) -> None:
        with transaction.atomic():
            lines = load_demo_accounts()
            load_demo_tickets()
        # After the commit, so after the demo's e-mails (printed to the console
        # by `make run`): the sign-in details are the last thing on screen.
        self.stdout.write(self.style.SUCCESS(lines[0]))
        for line in lines[1:]:
            self.stdout.write(line)
