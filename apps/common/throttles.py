"""Rate limits with the plan's rate strings, shared through the cache, failing open if the cache is down."""

import hashlib
import logging
import re

from django.core.cache import cache as default_cache
from rest_framework.throttling import SimpleRateThrottle

from apps.common.client_ip import client_ip
from apps.common.health import record_cache_error

logger = logging.getLogger(__name__)

_RATE_RE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd])[a-z]*\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """'3/h' -> (3, 3600); '3/10m' -> (3, 600); '5/day' -> (5, 86400)."""
    match = _RATE_RE.match(rate)
    if not match:
        raise ValueError(f"Bad rate string {rate!r}; expected N/[M]unit, unit one of s m h d.")
    count, multiplier, unit = match.groups()
    return int(count), int(multiplier or 1) * _UNIT_SECONDS[unit]


class _FailOpenCache:
    """A cache proxy that treats a broken cache as empty: a limiter outage must not become an API outage."""

    def __init__(self, cache):
        self._cache = cache

    def get(self, key, default=None):
        try:
            return self._cache.get(key, default)
        except Exception:
            logger.exception("Rate-limit cache unreachable; request allowed without limiting")
            record_cache_error()
            return default

    def set(self, key, value, timeout=None):
        try:
            self._cache.set(key, value, timeout)
        except Exception:
            logger.exception("Rate-limit cache unreachable; counter not stored")
            record_cache_error()


class RateThrottle(SimpleRateThrottle):
    """Base for our throttles: `scope` names a rate in settings.RATE_LIMITS, read on every request."""

    cache = _FailOpenCache(default_cache)

    def get_rate(self):
        from django.conf import settings

        return settings.RATE_LIMITS[self.scope]

    def parse_rate(self, rate):
        if rate is None:
            return (None, None)
        return parse_rate(rate)

    def ident_for(self, request, view) -> str | None:
        raise NotImplementedError

    def get_cache_key(self, request, view):
        ident = self.ident_for(request, view)
        if not ident:
            return None
        return self.cache_format % {"scope": self.scope, "ident": ident}


class IPRateThrottle(RateThrottle):
    def ident_for(self, request, view):
        return client_ip(request) or "unknown"


class EmailRateThrottle(RateThrottle):
    """Keys on the normalized email in the body, so rotating addresses does not reset the count."""

    email_field = "email"

    def ident_for(self, request, view):
        data = request.data
        value = data.get(self.email_field) if hasattr(data, "get") else None
        if not isinstance(value, str) or not value.strip():
            return None
        # hashed: keeps keys short and addresses out of the cache
        return hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]


def throttle(scope_name: str, base: type[RateThrottle]) -> type[RateThrottle]:
    """A throttle class for one named scope, e.g. throttle("otp_request_ip", IPRateThrottle)."""
    return type(f"{scope_name.title().replace('_', '')}Throttle", (base,), {"scope": scope_name})


class UserRateThrottle(RateThrottle):
    """Keys on the authenticated user (falls back to the client address for anonymous requests)."""

    def ident_for(self, request, view):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return f"user:{user.pk}"
        return client_ip(request) or "unknown"
