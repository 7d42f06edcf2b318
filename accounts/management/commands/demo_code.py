from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from accounts.demo import DEMO_TOTP_SECRET, current_demo_code


class Command(BaseCommand):
    help = (
        "Print the current one-time code of the demo staff (`make run`), whose "
        f"shared authenticator secret is {DEMO_TOTP_SECRET}."
    )

    def handle(self, *args: object, **options: object) -> None:
        left = 30 - int(time.time()) % 30
        self.stdout.write(f"{current_demo_code()}  (valid for {left} more seconds)")
        if left < 10:
            self.stdout.write(f"{current_demo_code(later=30)}  (the next one)")
