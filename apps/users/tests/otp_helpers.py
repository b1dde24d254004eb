"""Shared steps for the OTP tests: codes are always read from the email that was sent."""

import re

from django.urls import reverse

CODE_RE = re.compile(r"login code is: (\d{6})")


def request_url() -> str:
    return reverse("otp-request-otp")


def verify_url() -> str:
    return reverse("otp-verify-otp")


def request_code(client, email, **extra):
    return client.post(request_url(), {"email": email}, format="json", **extra)


def verify_code(client, email, code, **extra):
    return client.post(verify_url(), {"email": email, "code": code}, format="json", **extra)


def code_from_text(text: str) -> str:
    match = CODE_RE.search(text)
    assert match, f"no login code in: {text!r}"
    return match.group(1)


def last_code(mailoutbox, email) -> str:
    """The code in the newest login-code email sent to `email`."""
    mails = [m for m in mailoutbox if m.to == [email] and m.subject == "Your KinWise login code"]
    assert mails, f"no login-code email to {email}"
    return code_from_text(mails[-1].body)


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def fresh_code(client, mailoutbox, email) -> str:
    response = request_code(client, email)
    assert response.status_code == 200, response.content
    return last_code(mailoutbox, email)
