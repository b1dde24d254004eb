"""Production: refuses to start with DEBUG on or without a real SECRET_KEY."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import SECRET_KEY, env

DEBUG = env.bool("DEBUG", default=False)
if DEBUG:
    raise ImproperlyConfigured("DEBUG must be off in production.")
if len(SECRET_KEY) < 50 or SECRET_KEY.startswith("insecure") or SECRET_KEY == "change-me":  # noqa: S105
    raise ImproperlyConfigured("Set SECRET_KEY to a random value of at least 50 characters.")
