"""Production: HTTPS only, secure cookies, JSON logs, hashed static files; refuses DEBUG or a weak SECRET_KEY.

`manage.py check --deploy` passes with no warning when the environment is set as docs/DEPLOY.md says; it also
runs KinWise's own deployment checks (apps/common/checks.py: Redis, broker, SMTP, Postgres, FRONTEND_URL).
"""

from django.core.exceptions import ImproperlyConfigured

from apps.common.rates import rate_overrides

from .base import *  # noqa: F403
from .base import (
    NUM_TRUSTED_PROXIES,
    RATE_LIMIT_DEFAULTS,
    RATE_LIMITS_ALLOW_LOOSER,
    RATE_LIMITS_FROM_ENV,
    SECRET_KEY,
    env,
    logging_config,
)

DEBUG = env.bool("DEBUG", default=False)
if DEBUG:
    raise ImproperlyConfigured("DEBUG must be off in production.")
if len(SECRET_KEY) < 50 or SECRET_KEY.startswith("insecure") or SECRET_KEY == "change-me":  # noqa: S105
    raise ImproperlyConfigured("Set SECRET_KEY to a random value of at least 50 characters.")

# --- Rate limits: the environment may tighten the defaults, loosen them only when explicitly allowed ---
try:
    RATE_LIMITS = rate_overrides(
        RATE_LIMIT_DEFAULTS, RATE_LIMITS_FROM_ENV, allow_looser=RATE_LIMITS_ALLOW_LOOSER
    )
except ValueError as error:
    raise ImproperlyConfigured(str(error)) from None

# --- HTTPS -------------------------------------------------------------------------------------------------
# Behind a TLS-terminating proxy the app sees plain HTTP; the proxy says "https" in X-Forwarded-Proto. That
# header is only believed when proxies are configured: otherwise any client could claim HTTPS.
if NUM_TRUSTED_PROXIES > 0:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Redirect plain HTTP to HTTPS. Turn off only when the load balancer itself redirects (then Django's W008
# would be a false alarm, so it is silenced in exactly that case).
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
# Origins (scheme + host) allowed to POST to the admin when it is reached through another host name.
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

SILENCED_SYSTEM_CHECKS = [] if SECURE_SSL_REDIRECT else ["security.W008"]

# --- Static files: hashed names, compressed, cached forever; served by WhiteNoise from STATIC_ROOT ----------
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- Logs: one JSON object per line on stdout ---------------------------------------------------------------
LOG_FORMAT = env("LOG_FORMAT", default="json")
LOG_LEVEL = env("LOG_LEVEL", default="INFO")
LOGGING = logging_config(LOG_FORMAT, LOG_LEVEL)
