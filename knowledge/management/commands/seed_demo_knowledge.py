from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import transaction

from knowledge.demo import load_demo_knowledge


class Command(BaseCommand):
    help = (
        "Load the demo's knowledge base articles (after seed_demo); safe to run again."
    )

    def handle(self, *args: object, **options: object) -> None:
        with transaction.atomic():
            added = load_demo_knowledge()
        self.stdout.write(f"Knowledge base: {added} demo articles added.")
