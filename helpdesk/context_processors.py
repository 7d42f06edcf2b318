from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def support_contacts(request: HttpRequest) -> dict:
    return {
        "support_contacts": {
            "email": settings.SUPPORT_EMAIL,
            "phone": settings.SUPPORT_PHONE,
            "telegram": settings.SUPPORT_TELEGRAM,
        },
        "renewal": {"url": settings.RENEWAL_URL, "email": settings.SALES_EMAIL},
    }
