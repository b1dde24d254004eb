"""Start-up checks for timing settings whose wrong combination would send an email twice."""

from django.conf import settings
from django.core.checks import Warning, register


@register()
def outbox_timing_check(app_configs, **kwargs):
    problems = []
    if settings.EMAIL_OUTBOX_STALE_SECONDS <= settings.EMAIL_DELIVERY_TIME_LIMIT:
        problems.append(
            Warning(
                "EMAIL_OUTBOX_STALE_SECONDS must be longer than EMAIL_DELIVERY_TIME_LIMIT.",
                hint="Otherwise a delivery still in progress can be claimed again and its email sent twice.",
                id="emails.W001",
            )
        )
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout")
    if visibility is not None and visibility <= settings.EMAIL_OUTBOX_RETRY_MAX_SECONDS:
        problems.append(
            Warning(
                "CELERY_VISIBILITY_TIMEOUT must be longer than EMAIL_OUTBOX_RETRY_MAX_SECONDS.",
                hint="Redis would hand a retry that waits for its countdown to a second worker.",
                id="emails.W002",
            )
        )
    return problems
