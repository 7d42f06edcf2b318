"""Stand-ins for the SMTP relay, which lies outside this machine."""

from __future__ import annotations

import smtplib

from django.core.mail.backends.locmem import EmailBackend


class RelayDownOnceBackend(EmailBackend):
    """Refuses the first message, as a relay that drops the connection would."""

    failures_left = 1

    def send_messages(self, messages):
        if RelayDownOnceBackend.failures_left > 0:
            RelayDownOnceBackend.failures_left -= 1
            raise smtplib.SMTPServerDisconnected("relay went away")
        return super().send_messages(messages)
