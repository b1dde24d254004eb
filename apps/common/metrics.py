"""Prometheus metrics (prometheus_client): what a scraper needs to alert on, names in docs/DEPLOY.md.

Counters and histograms are updated where things happen: requests (RequestLogMiddleware), tasks (Celery
signals, config/celery.py), rate-limit rejections and limiter cache errors (apps.common.throttles / health).
Queue depth, outbox backlog and the limiter's state are read when scraped (`StateCollector`).

Gunicorn and the Celery worker run several processes; each writes its values to files in
PROMETHEUS_MULTIPROC_DIR (set by gunicorn.conf.py and, with CELERY_METRICS_PORT, by config/celery.py) and a
scrape adds them up (prometheus_client's multiprocess mode). Without that variable (runserver, tests) the
values live in this process.

The web's endpoint is /metrics with `Authorization: Bearer $METRICS_TOKEN` (404 while no token is set); the
worker's is its own port, CELERY_METRICS_PORT, meant for the internal network only.
"""

import logging
import os
import time

import redis
from amqp.exceptions import ChannelError
from celery import current_app
from django.conf import settings
from django.db.models import Count, Min
from django.http import HttpResponse, JsonResponse
from django.utils.crypto import constant_time_compare
from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from apps.common import clock
from apps.common.health import cache_error_seconds_ago

logger = logging.getLogger(__name__)

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
TASK_BUCKETS = (0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 120, 300, 900, 1800)

HTTP_REQUESTS = Counter(
    "kinwise_http_requests", "HTTP requests answered, by route pattern, method and status.",
    ["route", "method", "status"],
)  # fmt: skip
HTTP_LATENCY = Histogram(
    "kinwise_http_request_duration_seconds", "Time to answer an HTTP request, by route pattern and method.",
    ["route", "method"], buckets=LATENCY_BUCKETS,
)  # fmt: skip
TASKS = Counter(
    "kinwise_celery_tasks", "Celery tasks finished, by task, queue and outcome (SUCCESS, FAILURE, RETRY).",
    ["task", "queue", "outcome"],
)  # fmt: skip
TASK_DURATION = Histogram(
    "kinwise_celery_task_duration_seconds", "Run time of Celery tasks, by task and queue.",
    ["task", "queue"], buckets=TASK_BUCKETS,
)  # fmt: skip
RATE_LIMITED = Counter(
    "kinwise_rate_limit_rejections", "Requests refused with 429 by a rate limit, by scope.", ["scope"]
)
LIMITER_ERRORS = Counter(
    "kinwise_rate_limiter_cache_errors",
    "Rate-limit checks that found the cache unreachable (allowed unchecked).",
)
LIMITER_LAST_ERROR = Gauge(
    "kinwise_rate_limiter_last_error_timestamp_seconds",
    "Unix time of the latest rate-limit cache error in any process (0: none since start).",
    multiprocess_mode="max",
)

# A limiter with a cache error this recent counts as degraded (as in /readyz).
DEGRADED_SECONDS = 60


def route_of(request) -> str:
    """The URL pattern that answered (`api/v1/bills/<int:id>/`), never the raw path: bounded label values."""
    match = getattr(request, "resolver_match", None)
    if match is None or match.route is None:
        return "unmatched"
    return "/" + match.route


def observe_request(request, status: int, seconds: float, *, route: str | None = None) -> None:
    route = route or route_of(request)
    method = request.method if request.method in _METHODS else "other"
    HTTP_REQUESTS.labels(route, method, str(status)).inc()
    HTTP_LATENCY.labels(route, method).observe(seconds)


_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}


def observe_task(*, task: str, queue: str, outcome: str, seconds: float | None) -> None:
    TASKS.labels(task, queue, outcome).inc()
    if seconds is not None:
        TASK_DURATION.labels(task, queue).observe(seconds)


def observe_limiter_error() -> None:
    LIMITER_ERRORS.inc()
    LIMITER_LAST_ERROR.set(time.time())


class StateCollector:
    """Values read at scrape time: queue depth, outbox backlog, the rate limiter's state."""

    def collect(self):
        yield from self._guarded("queue depth", self._queues)
        yield from self._guarded("outbox", self._outbox)
        yield from self._guarded("rate limiter", self._limiter)

    @staticmethod
    def _guarded(what, collect):
        try:
            yield from collect()
        except Exception:  # a down broker or database must not take the other metrics with it
            logger.warning("Metrics: could not read the %s", what, exc_info=True)

    @staticmethod
    def _queues():
        depth = GaugeMetricFamily(
            "kinwise_celery_queue_length", "Messages waiting in a queue.", labels=["queue"]
        )
        with current_app.connection_for_read() as conn:
            channel = conn.default_channel
            for queue in settings.CELERY_TASK_QUEUES:
                try:
                    count = channel.queue_declare(queue=queue.name, passive=True).message_count  # type: ignore[attr-defined]  # every transport has it; kombu's stub of StdChannel does not
                except ChannelError:  # nothing was ever published to it: empty
                    count = 0
                depth.add_metric([queue.name], count)
        yield depth

    @staticmethod
    def _outbox():
        # apps.common imports no other app at module level (every app imports it); this gauge alone reads
        # the emails app's table, when scraped
        from apps.emails.models import EmailOutbox, EmailStatus

        rows = GaugeMetricFamily(
            "kinwise_email_outbox_rows", "Email outbox rows, by status.", labels=["status"]
        )
        counts = dict(EmailOutbox.objects.values_list("status").annotate(n=Count("id")).order_by())
        for status in EmailStatus.values:
            rows.add_metric([status], counts.get(status, 0))
        yield rows
        oldest = EmailOutbox.objects.filter(status=EmailStatus.PENDING).aggregate(at=Min("created_at"))["at"]
        age = (clock.now() - oldest).total_seconds() if oldest else 0
        yield GaugeMetricFamily(
            "kinwise_email_outbox_oldest_pending_age_seconds",
            "Age of the oldest email still pending (0 when none is).",
            value=max(age, 0),
        )

    @staticmethod
    def _limiter():
        recent = cache_error_seconds_ago()
        degraded = recent is not None and recent < DEGRADED_SECONDS
        if not degraded and settings.REDIS_URL:
            try:
                redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1).ping()
            except redis.RedisError:
                degraded = True
        yield GaugeMetricFamily(
            "kinwise_rate_limiter_degraded",
            "1 while rate limits are not enforced: the cache is unreachable or failed in the last minute.",
            value=int(degraded),
        )


class _ThisProcess:
    def collect(self):
        yield from REGISTRY.collect()


def scrape_registry() -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(_ThisProcess())
    return registry


def metrics_view(request):
    """Plain Django view (not in the OpenAPI schema): for scrapers holding METRICS_TOKEN only."""
    token = settings.METRICS_TOKEN
    if not token:
        return JsonResponse({"error": "Not found.", "code": "not_found"}, status=404)
    if not constant_time_compare(request.META.get("HTTP_AUTHORIZATION", ""), f"Bearer {token}"):
        response = JsonResponse(
            {"error": "A valid metrics token is required.", "code": "not_authenticated"}, status=401
        )
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    registry = scrape_registry()
    registry.register(StateCollector())
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
