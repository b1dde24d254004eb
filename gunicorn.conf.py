"""Gunicorn settings from the environment, so `make run`, docker-compose and scripts/smoke share one command:
`gunicorn config.wsgi` (gunicorn reads ./gunicorn.conf.py by default)."""

import os

bind = [os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")]
# Sync workers: each handles one request at a time, so this is the request concurrency of one container.
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
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
