"""Deployment checks of our own, run by `manage.py check --deploy` next to Django's security checks.

Each one is an item of the production checklist in docs/DEPLOY.md that configuration alone can reveal.
"""

from urllib.parse import urlparse

from django.conf import settings
from django.core.checks import Tags, register
from django.core.checks import Warning as CheckWarning


@register(Tags.security, deploy=True)
def kinwise_deploy_checks(app_configs, **kwargs):
    found = []
    if not settings.REDIS_URL:
        found.append(
            CheckWarning(
                "REDIS_URL is not set: rate-limit counters live in a file cache on this machine only.",
                hint="Point REDIS_URL at the shared Redis so every web process counts against one limit.",
                id="kinwise.W001",
            )
        )
    if settings.CELERY_BROKER_URL.startswith("filesystem://"):
        found.append(
            CheckWarning(
                "The Celery broker is the local filesystem transport (the development default).",
                hint="Set CELERY_BROKER_URL (or REDIS_URL) to a Redis reachable by every worker.",
                id="kinwise.W002",
            )
        )
    if settings.EMAIL_BACKEND.endswith(("filebased.EmailBackend", "console.EmailBackend")) or (
        settings.EMAIL_BACKEND.endswith("smtp.EmailBackend") and not settings.EMAIL_HOST
    ):
        found.append(
            CheckWarning(
                "EMAIL_HOST is not set: emails are written to files instead of being sent.",
                hint="Set EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS.",
                id="kinwise.W003",
            )
        )
    frontend = urlparse(settings.FRONTEND_URL)
    if frontend.scheme != "https" or frontend.hostname in {"localhost", "127.0.0.1", "::1"}:
        found.append(
            CheckWarning(
                f"FRONTEND_URL is {settings.FRONTEND_URL!r}: links in emails would not reach users safely.",
                hint="Set FRONTEND_URL to the public https:// address of the web app.",
                id="kinwise.W004",
            )
        )
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        found.append(
            CheckWarning(
                "The database is not PostgreSQL; SQLite is for development on one machine.",
                hint="Set DATABASE_URL=postgres://user:password@host:5432/kinwise.",
                id="kinwise.W005",
            )
        )
    if not settings.ALLOWED_HOSTS or "*" in settings.ALLOWED_HOSTS:
        found.append(
            CheckWarning(
                "ALLOWED_HOSTS is empty or contains '*'.",
                hint="List the host names the API is served under.",
                id="kinwise.W006",
            )
        )
    return found
