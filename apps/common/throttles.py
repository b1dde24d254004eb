"""Rate limits with the plan's rate strings, shared through the cache, failing open if the cache is down.

On Redis each check is one atomic script call (a sliding log in a sorted set); on any other cache it is DRF's
read-modify-write of a list of timestamps, which is fine for one process but racy across several.
"""

import hashlib
import logging
import secrets
import weakref
from typing import TYPE_CHECKING, cast

from django.conf import settings
from django.core.cache import cache as default_cache
from django.core.cache import caches
from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.redis import RedisCache
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle

from apps.common.client_ip import client_ip
from apps.common.health import record_cache_error
from apps.common.metrics import RATE_LIMITED, observe_limiter_error
from apps.common.rates import parse_rate

logger = logging.getLogger(__name__)


def _limiter_failed() -> None:
    """/readyz reports the limiter degraded for a while (health), and /metrics counts the error."""
    record_cache_error("rate_limiter")
    observe_limiter_error()


class _FailOpenCache:
    """A cache proxy that treats a broken cache as empty: a limiter outage must not become an API outage."""

    def __init__(self, cache):
        self._cache = cache

    def get(self, key, default=None):
        try:
            return self._cache.get(key, default)
        except Exception:
            logger.exception("Rate-limit cache unreachable; request allowed without limiting")
            _limiter_failed()
            return default

    def set(self, key, value, timeout=None):
        try:
            self._cache.set(key, value, timeout)
        except Exception:
            logger.exception("Rate-limit cache unreachable; counter not stored")
            _limiter_failed()


# Drop the entries that left the window; admit and record this request if fewer than the limit remain.
# Returns {admitted, entries in the window (this one included when admitted), oldest entry's timestamp}.
_SLIDING_LOG = """
local key, now, window, limit = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
local count = redis.call('ZCARD', key)
local admitted = 0
if count < limit then
    redis.call('ZADD', key, now, ARGV[4])
    redis.call('EXPIRE', key, window)
    count, admitted = count + 1, 1
end
local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
return {admitted, count, oldest[2] or false}
"""

# One redis client and registered script per cache backend instance (Django makes a new redis.Redis for
# every cache call, which costs more than the round trip itself).
_scripts: "weakref.WeakKeyDictionary[RedisCache, object]" = weakref.WeakKeyDictionary()


def _redis_sliding_log(backend: RedisCache):
    script = _scripts.get(backend)
    if script is None:
        client = backend._cache.get_client(write=True)  # type: ignore[attr-defined]  # Django's client wrapper, not in django-stubs
        script = _scripts[backend] = client.register_script(_SLIDING_LOG)
    return script


class RateThrottle(SimpleRateThrottle):
    """Base for our throttles: `scope` names a rate in settings.RATE_LIMITS, read on every request."""

    scope: str  # every subclass names its rate
    num_requests: int  # set by parse_rate() whenever self.rate is not None, the only case that reads them
    duration: int
    cache = cast(BaseCache, _FailOpenCache(default_cache))  # DRF calls only get() and set()
    _window: tuple[int, float | None] | None = None

    def allow_request(self, request, view):
        admitted = self._allow_request(request, view)
        if not admitted:
            RATE_LIMITED.labels(self.scope).inc()
        return admitted

    def _allow_request(self, request, view):
        backend = caches["default"]
        if not isinstance(backend, RedisCache):
            return super().allow_request(request, view)
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.now = self.timer()
        try:
            admitted, count, oldest = _redis_sliding_log(backend)(
                keys=[backend.make_and_validate_key(f"{self.key}:log")],
                args=[self.now, self.duration, self.num_requests, f"{self.now}:{secrets.token_hex(4)}"],
            )
        except Exception:
            logger.exception("Rate-limit cache unreachable; request allowed without limiting")
            _limiter_failed()
            return True
        self._window = (int(count), float(oldest) if oldest else None)
        return bool(admitted)

    def wait(self):
        """Seconds until a request would be admitted (what DRF's wait() gives for the same log)."""
        if self._window is None:
            return super().wait()
        count, oldest = self._window
        remaining = self.duration - (self.now - oldest) if oldest is not None else self.duration
        available = self.num_requests - count + 1
        return None if available <= 0 else remaining / available

    def get_rate(self):
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


# The mixin goes before APIView in the bases; the type checker reads it as one.
if TYPE_CHECKING:
    from rest_framework.views import APIView as _ApiBase
else:
    _ApiBase = object


# For an APIView whose GET lists and whose POST creates: its `throttle_classes` limit the POST only. (No
# docstring: drf-spectacular would show it as the description of every operation of the view.)
class PostThrottledMixin(_ApiBase):
    def get_throttles(self) -> list[BaseThrottle]:
        return super().get_throttles() if self.request.method == "POST" else []


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
