"""Invitation tokens: random, emailed once, stored only as an HMAC keyed from SECRET_KEY."""

import secrets

from django.utils.crypto import salted_hmac

_SALT = "kinwise.households.invite-token"


def invite_token_new() -> str:
    return secrets.token_urlsafe(32)


def invite_token_hash(token: str) -> str:
    """A database leak alone does not yield usable tokens: the hash key is derived from SECRET_KEY."""
    return salted_hmac(_SALT, token, algorithm="sha256").hexdigest()
