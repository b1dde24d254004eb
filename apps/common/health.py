"""Tracks whether the shared cache answered lately, so /readyz can report a degraded limiter."""

import time

_last_cache_error: float | None = None


def record_cache_error() -> None:
    global _last_cache_error
    _last_cache_error = time.monotonic()


def cache_error_seconds_ago() -> float | None:
    return None if _last_cache_error is None else time.monotonic() - _last_cache_error
