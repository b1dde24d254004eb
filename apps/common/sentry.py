"""Error reporting to Sentry (sentry-sdk with its Django and Celery integrations), on only with SENTRY_DSN.

Threats and answers: an event carries the request and the stack of an error, and requests carry passwords,
codes and tokens (bodies, query strings such as verify-email?token=..., the Authorization header, cookies).
So: no request bodies at all, no local variables, no default PII (user's IP, cookies); the query string is
dropped; headers, cookies and any remaining field whose name says secret are filtered by sentry's
EventScrubber with our field names added.
"""

import sentry_sdk
from sentry_sdk.integrations.celery import CeleryIntegration
from sentry_sdk.integrations.django import DjangoIntegration
from sentry_sdk.integrations.logging import ignore_logger
from sentry_sdk.scrubber import DEFAULT_DENYLIST, DEFAULT_PII_DENYLIST, EventScrubber

FILTERED = "[Filtered]"

# Field names of KinWise's requests and responses that hold a secret (serializers in apps/users).
SECRET_FIELDS = [
    "code",
    "recovery_code",
    "mfa_token",
    "access",
    "refresh",
    "password_confirm",
    "new_password",
    "new_password_confirm",
    "current_password",
    "otpauth_uri",
    "secret_encrypted",
    "secret_context",
    "http_authorization",
    "http_cookie",
    "dsn",
]


def _scrub_request(event, hint):
    request = event.get("request")
    if isinstance(request, dict):
        if request.get("query_string"):
            request["query_string"] = FILTERED
        request.pop("data", None)
        request.pop("cookies", None)
        headers = request.get("headers") or {}
        for name in list(headers):
            if name.lower() in {"authorization", "cookie", "x-csrftoken", "proxy-authorization"}:
                headers[name] = FILTERED
    return event


def sentry_init(*, dsn: str, environment: str, traces_sample_rate: float = 0.0, **options) -> None:
    """Start the SDK; `options` go to sentry_sdk.init (a test passes its own transport)."""
    # A 500's request log line is an ERROR too: without this each error would be reported twice.
    ignore_logger("kinwise.request")
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        send_default_pii=False,
        max_request_body_size="never",
        include_local_variables=False,
        event_scrubber=EventScrubber(
            denylist=DEFAULT_DENYLIST + SECRET_FIELDS, pii_denylist=DEFAULT_PII_DENYLIST, recursive=True
        ),
        before_send=_scrub_request,
        before_send_transaction=_scrub_request,
        traces_sample_rate=traces_sample_rate,
        **options,
    )
