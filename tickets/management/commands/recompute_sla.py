from __future__ import annotations

from django.core.management.base import BaseCommand

from tickets.services import recompute_sla


class Command(BaseCommand):
    help = (
        "Recompute the SLA deadlines of unsolved tickets; run it after changing "
        "the SLA targets, the support hours or the production calendar."
    )

    def handle(self, *args: object, **options: object) -> None:
        changed = recompute_sla()
        self.stdout.write(f"SLA deadlines changed: {changed}")
