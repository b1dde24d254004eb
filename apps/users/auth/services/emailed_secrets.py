"""Helpers for the emails that carry a secret. The secrets themselves: apps.common.one_time_secrets.

The discovery-safe requests (login code, password reset, resend of the verification) share their web half and
their audit origin here: the web request only queues, the worker's preparer decides (docs/SECURITY.md,
"Discovery-safe requests").
"""

from typing import Any

from django.http import HttpRequest

from apps.common.client_ip import request_origin
from apps.emails.services import email_request
from apps.users.models import normalize_email


def secret_email_request(*, email: str, template: str, preparer: str, request: HttpRequest | None) -> None:
    """Queue `template` for `email`: one outbox request row and one publish, whatever the address.

    Whether the address gets an email is decided in the worker by `preparer`, so the answer and the work done
    before it are the same for every address.
    """
    email_request(
        to=normalize_email(email), template=template, preparer=preparer, origin=request_origin(request)
    )


def origin_audit(origin: dict[str, Any]) -> dict[str, Any]:
    """In the worker, log_action's `ip` and `user_agent`: those of the request that asked (its `origin`)."""
    return {"ip": origin.get("ip"), "user_agent": origin.get("user_agent", "")}


def mask_email(address: str) -> str:
    """john.doe@example.com → j***@e***.com: enough to recognise one's own address, not to learn another."""
    local, _, domain = address.partition("@")
    labels = domain.split(".")
    masked_domain = f"{labels[0][:1]}***" + (f".{labels[-1]}" if len(labels) > 1 else "")
    return f"{local[:1]}***@{masked_domain}"
