"""Gunicorn settings from the environment, so `make run`, docker-compose and scripts/smoke share one command:
`gunicorn config.wsgi` (gunicorn reads ./gunicorn.conf.py by default)."""

import os
import shutil
from pathlib import Path


def _bind() -> str:
    """GUNICORN_BIND if set; else all interfaces on $PORT if a platform sets it (Heroku-style); else local."""
    if os.environ.get("GUNICORN_BIND"):
        return os.environ["GUNICORN_BIND"]
    if os.environ.get("PORT"):
        return f"0.0.0.0:{os.environ['PORT']}"
    return "127.0.0.1:8000"


bind = [_bind()]
# Sync workers: each handles one request at a time, so this is the request concurrency of one container.
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# On SIGTERM, in-flight requests get this long; docker-compose's stop_grace_period for web is longer.
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so slow leaks cannot grow without bound.
max_requests = 2000
max_requests_jitter = 200
# RequestLogMiddleware writes one line per request with its id, user and duration: no separate access log.
accesslog = None
errorlog = "-"
# No runtime control socket (gunicornc): nothing to manage that way, and HOME may not be writable.
control_socket_disable = True

_production = os.environ.get("DJANGO_SETTINGS_MODULE", "").endswith(".production")
if os.environ.get("LOG_FORMAT", "json" if _production else "plain") == "json":
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "json": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                "format": "%(levelname)s %(name)s %(message)s",
                "rename_fields": {"levelname": "level", "name": "logger"},
                "timestamp": "time",
            }
        },
        "handlers": {
            "stdout": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stdout"}
        },
        "root": {"level": "INFO", "handlers": ["stdout"]},
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": ["stdout"], "propagate": False},
            # off: it would log query strings, and those can carry tokens (verify-email?token=...)
            "gunicorn.access": {"level": "CRITICAL", "handlers": [], "propagate": False},
        },
    }


# Prometheus metrics from every worker process (prometheus_client's multiprocess mode, apps.common.metrics):
# each writes its values to files in this folder, /metrics adds them up. One folder per master, emptied at
# start, so two gunicorns on one host (or a restart) never mix their counts.
_metrics_dir = Path(__file__).resolve().parent / "var" / "metrics" / f"web-{os.getpid()}"
os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", str(_metrics_dir))


def on_starting(server):
    folder = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    if "web-" in os.environ.get("PROMETHEUS_MULTIPROC_DIR", ""):
        shutil.rmtree(os.environ["PROMETHEUS_MULTIPROC_DIR"], ignore_errors=True)
