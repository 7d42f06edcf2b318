from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import transaction

from tickets.models import Ticket

BATCH = 5_000


class Command(BaseCommand):
    help = (
        "Rebuild the full-text search index of every ticket (PostgreSQL). The "
        "services keep it current; this is for data loaded behind their back."
    )

    def handle(self, *args: object, **options: object) -> None:
        done = 0
        last = 0
        while True:
            ids = list(
                Ticket.objects.filter(pk__gt=last)
                .order_by("pk")
                .values_list("pk", flat=True)[:BATCH]
            )
            if not ids:
                break
            with transaction.atomic():
                done += Ticket.objects.filter(pk__in=ids).refresh_search_index()
            last = ids[-1]
        self.stdout.write(f"Tickets indexed: {done}")
