"""Helpers for registration tests: sign up over HTTP, read the link token and code from the email sent."""

import re
from urllib.parse import parse_qs, urlparse

REGISTER = "/api/v1/auth/register/"
VERIFY = "/api/v1/auth/verify-email/"
RESEND = "/api/v1/auth/resend-verification/"
PASSWORD = "SecurePass123!"

_LINK_RE = re.compile(r"(https?://\S+/verify-email\?token=\S+)")
_CODE_RE = re.compile(r"enter this code in the app instead: (\d{6})", re.IGNORECASE)


def registration(email="newuser@example.com", password=PASSWORD, **extra) -> dict:
    return {"email": email, "password": password, "password_confirm": password, **extra}


def register(client, email="newuser@example.com", password=PASSWORD, **extra):
    headers = {k: extra.pop(k) for k in list(extra) if k.isupper()}
    return client.post(REGISTER, registration(email, password, **extra), format="json", **headers)


def verification_link(body: str) -> str:
    match = _LINK_RE.search(body)
    assert match, f"no verification link in:\n{body}"
    return match.group(1)


def link_token(body: str) -> str:
    return parse_qs(urlparse(verification_link(body)).query)["token"][0]


def verification_code(body: str) -> str:
    match = _CODE_RE.search(body)
    assert match, f"no verification code in:\n{body}"
    return match.group(1)


def sent_to(mailoutbox, address: str, subject: str | None = None) -> list:
    return [m for m in mailoutbox if address in m.to and (subject is None or m.subject == subject)]


VERIFY_SUBJECT = "Verify your KinWise account"
WELCOME_SUBJECT = "Welcome to KinWise!"
EXISTS_SUBJECT = "Someone tried to sign up with your email"
