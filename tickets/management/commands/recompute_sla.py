from __future__ import annotations

from django.core.management.base import BaseCommand

from tickets.services import recompute_sla


class Command(BaseCommand):
    help = (
        "Recompute the stored SLA facts (deadlines, first-response times, targets "
        "met) of unsolved tickets and of any ticket that lacks them. Saving SLA "
        "targets, support hours or the production calendar recomputes unsolved "
        "tickets by itself; run this after changes made behind Django's back "
        "(SQL, a restored backup) and once after upgrading to a version that "
        "stores new facts."
    )

    def handle(self, *args: object, **options: object) -> None:
        changed = recompute_sla()
        self.stdout.write(f"Tickets with changed SLA facts: {changed}")
