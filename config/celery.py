"""Celery's documented Django recipe: the app reads CELERY_* settings and finds each app's tasks.py."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("kinwise")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
