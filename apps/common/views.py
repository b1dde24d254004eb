"""Health endpoints and JSON fallbacks for errors raised outside DRF views."""

import logging
import os

import redis
from celery import current_app
from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from redis.backoff import NoBackoff
from redis.retry import Retry

from apps.common.health import cache_errors_seconds_ago
from apps.common.problems import json_error

logger = logging.getLogger(__name__)

# What runs degraded while the shared cache fails (apps/common/health.py).
DEGRADED = {
    "rate_limiter": "cache errors in the last minute",
    "session_revocation": "cache errors in the last minute; access tokens checked in the database",
}


def healthz(request):
    return JsonResponse({"status": "ok"})


def _check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _check_redis() -> None:
    redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1).ping()


def _check_broker() -> None:
    """One bounded probe (about a second at worst): readiness must answer even when the broker hangs."""
    url = settings.CELERY_BROKER_URL
    if url.startswith("filesystem://"):
        # The embedded broker is three folders; it works as long as this process may write to them.
        options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
        for key in ("data_folder_in", "data_folder_out", "control_folder"):
            if not os.access(str(options[key]), os.W_OK | os.X_OK):
                raise PermissionError(f"broker folder {key} is missing or not writable")
    elif url.startswith(("redis://", "rediss://")):
        client = redis.Redis.from_url(
            url, socket_connect_timeout=1, socket_timeout=1, retry=Retry(NoBackoff(), 0)
        )
        try:
            client.ping()
        finally:
            client.close()
    else:
        with current_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)


def readiness_checks() -> dict:
    checks = {"database": _check_database}
    if settings.REDIS_URL:
        checks["redis"] = _check_redis
    if getattr(settings, "CELERY_BROKER_URL", ""):
        checks["broker"] = _check_broker
    return checks


def readyz(request):
    results, ok = {}, True
    for name, check in readiness_checks().items():
        try:
            check()
            results[name] = "ok"
        except Exception as exc:  # noqa: BLE001 - any failure of a dependency makes the instance not ready
            logger.warning("Readiness check %s failed: %s", name, type(exc).__name__)
            results[name] = f"error: {type(exc).__name__}"
            ok = False
    for component, seconds_ago in sorted(cache_errors_seconds_ago().items()):
        if seconds_ago < 60:
            results[component] = f"degraded: {DEGRADED[component]}"
            ok = False
    return JsonResponse(
        {"status": "ok" if ok else "unavailable", "checks": results}, status=200 if ok else 503
    )


def json_not_found(request, exception=None):
    return json_error(request, 404, "Not found.", "not_found")


@csrf_exempt  # a plain Django view: without this, an unknown path's POST would be a CSRF 403 page
def api_not_found(request, *args, **kwargs):
    """Every unknown /api/ path, whatever DEBUG says (Django's DEBUG 404 page is HTML)."""
    return json_error(request, 404, "Not found.", "not_found")


def json_server_error(request):
    return json_error(request, 500, "Internal server error.", "server_error")


def json_bad_request(request, exception=None):
    return json_error(request, 400, "Bad request.", "bad_request")


def json_forbidden(request, exception=None, reason=""):
    return json_error(request, 403, "Forbidden.", "forbidden")
