"""Request logging with a request id, and health probes answered before host checks and HTTPS redirects."""

import logging
import time

from django.core.signals import request_finished
from django.dispatch import receiver
from django.urls import Resolver404, get_resolver
from django.utils.functional import SimpleLazyObject, empty

from apps.common import metrics
from apps.common.client_ip import client_ip
from apps.common.logging import request_id_from, request_id_var
from apps.common.views import healthz, readyz

logger = logging.getLogger("kinwise.request")

MAX_PATH = 300
HEALTH_PROBES = {"/healthz": healthz, "/readyz": readyz}
# Answered before the host check and the HTTPS redirect: load balancers and scrapers call by IP over HTTP.
PROBES = {**HEALTH_PROBES, "/metrics": metrics.metrics_view}


def _user_id(request) -> int | None:
    """The authenticated user's id if something already resolved the user; never costs a query."""
    user = request.__dict__.get("user")
    if user is None:
        return None
    if isinstance(user, SimpleLazyObject) and user._wrapped is empty:  # type: ignore[attr-defined]  # LazyObject's slot, not in django-stubs
        return None
    return user.pk if getattr(user, "is_authenticated", False) else None


class RequestLogMiddleware:
    """One log line per request: id, method, path (never the query string), status, duration, user id.

    The id comes from the caller's X-Request-ID (a load balancer's, say) or is generated, and is echoed in the
    response's X-Request-ID so a client can quote it. Bodies and query strings are never logged: they carry
    passwords, codes and tokens (GET /auth/verify-email/?token=...).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = request_id_from(request.META.get("HTTP_X_REQUEST_ID"))
        request.request_id = request_id
        # Cleared on request_finished, not here: Django logs 4xx/5xx (django.request) after the middleware.
        request_id_var.set(request_id)
        started = time.perf_counter()
        response = self.get_response(request)
        duration_ms = round((time.perf_counter() - started) * 1000, 1)
        response["X-Request-ID"] = request_id
        self._log(request, response.status_code, duration_ms)
        metrics.observe_request(
            request,
            response.status_code,
            duration_ms / 1000,
            route=request.path if request.path in PROBES else None,
        )
        return response

    def _log(self, request, status: int, duration_ms: float) -> None:
        level = logging.DEBUG if request.path in PROBES and status == 200 else logging.INFO
        if status >= 500:
            level = logging.ERROR
        logger.log(
            level,
            "%s %s %s %.1fms",
            request.method,
            request.path[:MAX_PATH],
            status,
            duration_ms,
            extra={
                "method": request.method,
                "path": request.path[:MAX_PATH],
                "status": status,
                "duration_ms": duration_ms,
                "user_id": _user_id(request),
                "ip": client_ip(request),
            },
        )


@receiver(request_finished)
def _forget_request_id(**kwargs):
    request_id_var.set(None)


class HealthProbeMiddleware:
    """Answer /healthz, /readyz and /metrics directly.

    Probes and scrapers come from Docker, Kubernetes, a load balancer or Prometheus with an IP address as Host
    and over plain HTTP; going through ALLOWED_HOSTS and SECURE_SSL_REDIRECT would turn them into 400s and
    301s. /metrics checks its own token.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        probe = PROBES.get(request.path_info)
        if probe is not None and request.method in ("GET", "HEAD"):
            return probe(request)
        return self.get_response(request)


API_NOT_FOUND = "api-not-found"


def _resolves(request, path: str) -> bool:
    """True when `path` reaches a real view (not the /api/ catch-all that answers a JSON 404)."""
    try:
        match = get_resolver(getattr(request, "urlconf", None)).resolve(path)
    except Resolver404:
        return False
    return match.url_name != API_NOT_FOUND


class ApiTrailingSlashMiddleware:
    """/api/... without its trailing slash is served as if it had one, for every method.

    Django's APPEND_SLASH would answer a redirect, which a client follows as a GET without the body (a 301
    in production) or not at all (a RuntimeError and a 500 under DEBUG for a POST).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        unslashed = path.startswith("/api/") and not path.endswith("/")
        if unslashed and not _resolves(request, path) and _resolves(request, path + "/"):
            request.path_info = path + "/"
            request.path = request.path + "/"
        return self.get_response(request)
