from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import transaction

from automation.demo import load_demo_automation


class Command(BaseCommand):
    help = "Load the demo's groups and automation rules (after seed_demo); safe to run again."

    def handle(self, *args: object, **options: object) -> None:
        with transaction.atomic():
            load_demo_automation()
