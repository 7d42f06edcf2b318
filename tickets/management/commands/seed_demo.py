from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.demo import load_demo_accounts
from tickets.demo import load_demo_tickets


class Command(BaseCommand):
    help = "Load demo organisations, licences, contacts, staff and tickets; safe to run again."

    @transaction.atomic
    def handle(self, *args: object, **options: object) -> None:
        lines = load_demo_accounts()
        load_demo_tickets()
        self.stdout.write(self.style.SUCCESS(lines[0]))
        for line in lines[1:]:
            self.stdout.write(line)
