"""The one place that decides which address a request came from."""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _valid_ip(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str | None:
    """The client's address, trusting X-Forwarded-For only through NUM_TRUSTED_PROXIES hops.

    Each trusted proxy appends the address it received the request from, so with N trusted proxies the
    client is the N-th entry from the right; anything left of it was written by the client and is ignored.
    """
    remote = _valid_ip(request.META.get("REMOTE_ADDR", ""))
    trusted = settings.NUM_TRUSTED_PROXIES
    if trusted <= 0:
        return remote
    forwarded = [part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if not forwarded:
        return remote
    candidate = forwarded[-trusted] if len(forwarded) >= trusted else forwarded[0]
    return _valid_ip(candidate) or remote


def user_agent(request: HttpRequest) -> str:
    return request.META.get("HTTP_USER_AGENT", "")[:400]


def request_origin(request: HttpRequest | None) -> dict:
    """Where a request came from, as plain JSON for work done later in a worker (its audit rows)."""
    if request is None:
        return {"ip": None, "user_agent": ""}
    return {"ip": client_ip(request), "user_agent": user_agent(request)}
