"""Requests a minute per token (`API_RATE`): past it, 429 with `Retry-After`.
Counted in the cache; with the cache down nothing is counted (rule 1 of
`helpdesk/cache.py`), so an outage never locks integrations out."""

from __future__ import annotations

from rest_framework.throttling import SimpleRateThrottle

from api.models import ApiToken


class TokenRateThrottle(SimpleRateThrottle):
    scope = "token"

    def get_cache_key(self, request, view) -> str | None:
        token = request.auth
        if not isinstance(token, ApiToken):
            return None  # refused before it counts
        return self.cache_format % {"scope": self.scope, "ident": token.prefix}
