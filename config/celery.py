"""Celery's documented Django recipe: the app reads CELERY_* settings and finds each app's tasks.py."""

import os
import shutil
import sys
import threading
import time
from contextvars import Token
from pathlib import Path

from celery import Celery, platforms
from celery.signals import (
    beat_init,
    before_task_publish,
    setup_logging,
    task_postrun,
    task_prerun,
    worker_ready,
    worker_shutdown,
)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

# A worker with CELERY_METRICS_PORT serves metrics for its pool processes too: they write their values to
# files here (prometheus_client's multiprocess mode), read when its port is scraped. Set before anything
# imports prometheus_client; one folder per worker, so two workers on a host never mix or wipe each other's.
if os.environ.get("CELERY_METRICS_PORT") and "worker" in sys.argv[1:]:
    _metrics_dir = Path(__file__).resolve().parent.parent / "var" / "metrics" / f"worker-{os.getpid()}"
    shutil.rmtree(_metrics_dir, ignore_errors=True)
    _metrics_dir.mkdir(parents=True)
    os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", str(_metrics_dir))
    # The celery command may have imported prometheus_client already (Flower's plugin does): make metrics
    # created from now on write to the folder.
    from prometheus_client import values as _prometheus_values

    _prometheus_values.ValueClass = _prometheus_values.get_value_class()


class KinWiseCelery(Celery):
    def _get_backend(self):
        """Set Django up before the result backend loads: the django-db backend imports models.

        A worker's Django fixup does it at start-up; the other commands (`celery -A config call ...`,
        `result`, `inspect`) do not, and failed with AppRegistryNotReady.
        """
        from django.apps import apps

        if not apps.ready and not apps.loading:
            import django

            django.setup()
        return super()._get_backend()  # type: ignore[misc]  # private to Celery, absent from celery-types


app = KinWiseCelery("kinwise")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@setup_logging.connect
def _log_like_django(**kwargs):
    """Workers and beat log through settings.LOGGING (JSON in production, with task id and name), not Celery's
    own format; LOG_LEVEL sets the level, `--loglevel` has no effect."""
    from logging.config import dictConfig

    from django.conf import settings

    dictConfig(settings.LOGGING)


# The request id travels with each task as a message header, so a task's log lines carry the id of the request
# that queued it (apps.common.logging stamps both on every line).
_request_id_tokens: dict[str, Token[str | None]] = {}


@before_task_publish.connect
def _send_request_id(headers=None, **kwargs):
    from apps.common.logging import request_id_var

    request_id = request_id_var.get()
    if request_id and headers is not None:
        headers.setdefault("request_id", request_id)


@task_prerun.connect
def _take_request_id(task_id=None, task=None, **kwargs):
    from apps.common.logging import request_id_var

    request_id = getattr(task.request, "request_id", None) if task is not None else None
    if request_id and task_id:
        _request_id_tokens[task_id] = request_id_var.set(request_id)


@task_postrun.connect
def _drop_request_id(task_id=None, **kwargs):
    from apps.common.logging import request_id_var

    token = _request_id_tokens.pop(task_id, None)
    if token is not None:
        request_id_var.reset(token)


# Task metrics: outcome and run time per task and queue (apps.common.metrics).
_task_started: dict[str, float] = {}


@task_prerun.connect
def _start_task_clock(task_id=None, **kwargs):
    if task_id:
        _task_started[task_id] = time.perf_counter()


@task_postrun.connect
def _count_task(task_id=None, task=None, state=None, **kwargs):
    from apps.common.metrics import observe_task

    started = _task_started.pop(task_id, None)
    delivery = (getattr(task.request, "delivery_info", None) or {}) if task is not None else {}
    queue = delivery.get("routing_key") or ("eager" if delivery.get("is_eager") else "unknown")
    observe_task(
        task=getattr(task, "name", "unknown"),
        queue=queue,
        outcome=state or "unknown",
        seconds=None if started is None else time.perf_counter() - started,
    )


@worker_ready.connect
def _serve_worker_metrics(**kwargs):
    from django.conf import settings

    if not settings.CELERY_METRICS_PORT:
        return
    from prometheus_client import start_http_server

    from apps.common.metrics import scrape_registry

    start_http_server(
        settings.CELERY_METRICS_PORT, addr=settings.CELERY_METRICS_ADDRESS, registry=scrape_registry()
    )


@worker_shutdown.connect
def _drop_metrics_files(**kwargs):
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")
    if "worker-" in folder:
        shutil.rmtree(folder, ignore_errors=True)


@task_prerun.connect
@task_postrun.connect
def _close_old_database_connections(sender=None, **kwargs):
    """Around each task what Django does around each request: close a connection that is older than
    CONN_MAX_AGE, broken by an error or left in a transaction, and health-check the kept one
    (CONN_HEALTH_CHECKS) at its first use in the task. So a worker process serves its tasks over one
    database connection.

    Celery's fixup would close it before and after every task instead (CELERY_DB_REUSE_MAX stops that); it
    still drops the connections a forked child inherits from the parent, without touching the parent's
    socket."""
    if getattr(sender.request, "is_eager", False):
        return  # inline (tests): the caller's connection and its transaction are not ours to close
    from django.db import close_old_connections

    close_old_connections()


@beat_init.connect
def _stop_beat_outside_the_signal_handler(**kwargs):
    """SIGTERM and SIGINT only end beat's loop; its shutdown path then saves the schedule.

    Celery's own handler saves the schedule inside the signal handler, at whatever point the signal
    interrupted: django-celery-beat's save starts with close_old_connections(), which closes a connection past
    CONN_MAX_AGE (on SQLite: always) under a query still holding its cursor. Unwinding that query then raised
    "Cannot operate on a closed database" in place of the SystemExit, which an `except` on the way could log
    and swallow, leaving beat ticking. Raising SystemExit alone unwinds the query on an open connection;
    Service.start() catches it and saves the schedule in its `finally`.
    """
    if threading.current_thread() is threading.main_thread():
        platforms.signals.update(SIGTERM=_end_beat_loop, SIGINT=_end_beat_loop)


def _end_beat_loop(signum, frame):
    raise SystemExit
