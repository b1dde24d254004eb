"""Celery's documented Django recipe: the app reads CELERY_* settings and finds each app's tasks.py."""

import os

from celery import Celery
from celery.signals import setup_logging

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("kinwise")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@setup_logging.connect
def _log_like_django(**kwargs):
    """Workers and beat log through settings.LOGGING (JSON in production, with task id and name), not Celery's
    own format; LOG_LEVEL sets the level, `--loglevel` has no effect."""
    from logging.config import dictConfig

    from django.conf import settings

    dictConfig(settings.LOGGING)
