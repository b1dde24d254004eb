"""Steps for the reauthentication tests: codes are read from the emails sent, time is the domain clock."""

import re
from datetime import timedelta

REAUTH_PASSWORD = "/api/v1/auth/reauthenticate/password/"
REAUTH_CODE_REQUEST = "/api/v1/auth/reauthenticate/email-code/request/"
REAUTH_CODE = "/api/v1/auth/reauthenticate/email-code/"
REAUTH_MFA = "/api/v1/auth/reauthenticate/mfa/"
RECOVERY_CODES = "/api/v1/auth/mfa/recovery-codes/"
REVOKE_OTHERS = "/api/v1/auth/sessions/revoke-others/"
CODE_SUBJECT = "Your KinWise confirmation code"
WINDOW = timedelta(minutes=5)

_CODE_RE = re.compile(r"confirmation code is: (\d{6})")


def let_window_pass(clock) -> None:
    """The session's last proof (its login, or a reauthentication) is no longer recent."""
    clock.advance(WINDOW + timedelta(seconds=1))


def reauth_code_from(body: str) -> str:
    match = _CODE_RE.search(body)
    assert match, f"no confirmation code in:\n{body}"
    return match.group(1)


def last_reauth_code(mailoutbox, to: str) -> str:
    found = [m for m in mailoutbox if m.to == [to] and m.subject == CODE_SUBJECT]
    assert found, f"no {CODE_SUBJECT!r} to {to}; sent: {[(m.to, m.subject) for m in mailoutbox]}"
    return reauth_code_from(found[-1].body)


def reauth_with_password(client, password: str):
    return client.post(REAUTH_PASSWORD, {"password": password}, format="json")


def reauth_required(response, methods: list[str] | None = None) -> dict:
    assert response.status_code == 403, response.content
    body = response.json()
    assert body["code"] == "reauthentication_required", body
    if methods is not None:
        assert body["methods"] == methods, body
    return body
