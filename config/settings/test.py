"""Test settings: same code paths as production, with a fast hasher and quiet logs."""

from pathlib import Path

from .base import *  # noqa: F403
from .base import DATABASES, REDIS_URL, STATIC_ROOT, VAR_DIR, env

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

if not REDIS_URL:
    # One process: an in-memory cache is shared enough (tests that start processes set REDIS_URL).
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "sessions": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "sessions"},
    }

TEST_RUNNER = "django.test.runner.DiscoverRunner"
VAR_DIR.mkdir(exist_ok=True)
Path(STATIC_ROOT).mkdir(parents=True, exist_ok=True)  # WhiteNoise warns on every request without it

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, like the embedded default, not Django's shared-cache in-memory database: there, concurrent
    # writers fail at once with "database table is locked" instead of waiting out the busy timeout, so race
    # tests with threads would measure SQLite's test mode rather than our code. Worker processes started by a
    # test (apps/emails/tests/test_worker_killed.py) share it too.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-db.sqlite3")}

# Tasks run inline unless a test starts a real worker (the celery_worker fixture turns this off).
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = False
# The broker for real-worker tests: its own Redis database, so cache.clear() never drops queued messages.
CELERY_BROKER_URL = env("TEST_BROKER_URL", default="redis://127.0.0.1:6379/14")
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 3600,
    "socket_connect_timeout": 1,
    "socket_timeout": 3,
    "max_retries": 0,
}
