"""Tracks whether the shared cache answered lately, per use, so /readyz can report what runs degraded.

Components: `rate_limiter` (limits fail open) and `session_revocation` (access-token checks fall back to the
database).
"""

import time

_last_cache_error: dict[str, float] = {}


def record_cache_error(component: str = "rate_limiter") -> None:
    _last_cache_error[component] = time.monotonic()


def cache_errors_seconds_ago() -> dict[str, float]:
    now = time.monotonic()
    return {component: now - at for component, at in _last_cache_error.items()}


def cache_error_seconds_ago(component: str = "rate_limiter") -> float | None:
    at = _last_cache_error.get(component)
    return None if at is None else time.monotonic() - at
