"""Start-up checks: timing settings whose wrong combination would send an email twice, and preparers that
would fail every request row they are named in."""

from django.conf import settings
from django.core.checks import Error, register
from django.core.checks import Warning as CheckWarning
from django.utils.module_loading import import_string

from apps.emails.registry import PREPARERS


@register()
def outbox_timing_check(app_configs, **kwargs):
    problems = []
    if settings.EMAIL_OUTBOX_STALE_SECONDS <= settings.EMAIL_DELIVERY_TIME_LIMIT:
        problems.append(
            CheckWarning(
                "EMAIL_OUTBOX_STALE_SECONDS must be longer than EMAIL_DELIVERY_TIME_LIMIT.",
                hint="Otherwise a delivery still in progress can be claimed again and its email sent twice.",
                id="emails.W001",
            )
        )
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout")
    if visibility is not None and visibility <= settings.EMAIL_OUTBOX_RETRY_MAX_SECONDS:
        problems.append(
            CheckWarning(
                "CELERY_VISIBILITY_TIMEOUT must be longer than EMAIL_OUTBOX_RETRY_MAX_SECONDS.",
                hint="Redis would hand a retry that waits for its countdown to a second worker.",
                id="emails.W002",
            )
        )
    return problems


@register()
def outbox_preparers_check(app_configs, **kwargs):
    problems = []
    for name, path in PREPARERS.items():
        try:
            import_string(path)
        except ImportError as exc:
            problems.append(
                Error(
                    f"Email preparer {name!r} ({path}) cannot be imported: {exc}",
                    hint="Fix apps.emails.registry.PREPARERS: every request row naming it would fail.",
                    id="emails.E001",
                )
            )
    return problems
