from __future__ import annotations

from django.core.management.base import BaseCommand

from tickets.services import recompute_sla


class Command(BaseCommand):
    help = (
        "Recompute the SLA deadlines of unsolved tickets. Saving SLA targets, "
        "support hours or the production calendar does it by itself; this is "
        "for changes made behind Django's back (SQL, a restored backup)."
    )

    def handle(self, *args: object, **options: object) -> None:
        changed = recompute_sla()
        self.stdout.write(f"SLA deadlines changed: {changed}")
