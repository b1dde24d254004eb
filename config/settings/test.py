"""Test settings: same code paths as production, with a fast hasher and quiet logs."""

from .base import *  # noqa: F403
from .base import CACHES, REDIS_URL, VAR_DIR

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # noqa: S303
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

if not REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    CACHES = CACHES

TEST_RUNNER = "django.test.runner.DiscoverRunner"
VAR_DIR.mkdir(exist_ok=True)

# Tasks run inline unless a test starts a real worker (the celery_worker fixture turns this off).
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = False
