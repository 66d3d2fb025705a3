"""Bearer-token authentication: the token's user, if the token is known, not revoked and its
user active; otherwise 401 (Django Ninja answers it). And the rate limit per token: 429 beyond
the token's own rate, or
settings.MUSTER_API_RATE (default 600 calls a minute; a whole morning's marks is one call)."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone
from ninja.security import HttpBearer
from ninja.throttling import SimpleRateThrottle

from muster.api.actions import secret_hash
from muster.api.models import ApiToken


class TokenAuth(HttpBearer):
    def authenticate(self, request, token: str):
        found = (
            ApiToken.objects.select_related("user")
            .filter(secret_sha256=secret_hash(token), revoked_at__isnull=True, user__is_active=True)
            .first()
        )
        if found is None:
            return None
        now = timezone.now()
        ApiToken.objects.filter(pk=found.pk).update(last_used=now)
        request.api_token = found
        request.user = found.user
        return found.user


class TokenRateThrottle(SimpleRateThrottle):
    """Calls per token (Django's cache counts them): the token's own `rate_per_minute` when set
    (data, changed with `muster api token rate`), else settings.MUSTER_API_RATE."""

    scope = "token"

    def __init__(self):
        super().__init__(getattr(settings, "MUSTER_API_RATE", "600/m"))

    def allow_request(self, request) -> bool:
        token = getattr(request, "api_token", None)
        if token is not None and token.rate_per_minute:
            self.num_requests, self.duration = token.rate_per_minute, 60
        else:
            self.num_requests, self.duration = self.parse_rate(getattr(settings, "MUSTER_API_RATE", "600/m"))
        return super().allow_request(request)

    def get_cache_key(self, request) -> str | None:
        token = getattr(request, "api_token", None)
        if token is None:
            return None  # refused with 401 anyway
        return self.cache_format % {"scope": self.scope, "ident": f"{token.pk}-{token.prefix}"}
