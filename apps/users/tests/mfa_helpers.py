"""Steps for MFA tests: enrol through the API and compute codes the way an authenticator app would."""

from datetime import timedelta

import pyotp

from apps.common import clock

STATUS = "/api/v1/auth/mfa/"
ENROL = "/api/v1/auth/mfa/totp/"
CONFIRM = "/api/v1/auth/mfa/totp/confirm/"
DISABLE = "/api/v1/auth/mfa/totp/disable/"
VERIFY = "/api/v1/auth/mfa/verify/"


def totp_code(secret: str, steps_ahead: int = 0) -> str:
    """The app's code now (or `steps_ahead` 30-second steps later), by the domain clock."""
    return pyotp.TOTP(secret).at(clock.now() + timedelta(seconds=30 * steps_ahead))


def enable_mfa(client) -> tuple[str, list[str]]:
    """Enrol and confirm; returns the secret and the recovery codes. The confirming code is spent."""
    secret = client.post(ENROL).json()["secret"]
    response = client.post(CONFIRM, {"code": totp_code(secret)}, format="json")
    assert response.status_code == 200, response.content
    return secret, response.json()["recovery_codes"]


def password_login(client, email, password):
    return client.post("/api/v1/auth/login/", {"email": email, "password": password}, format="json")


def answer(mfa_token, **factor):
    """Answer a login challenge from a fresh client, as the device finishing that login would."""
    from conftest import CommitAwareAPIClient

    return CommitAwareAPIClient().post(VERIFY, {"mfa_token": mfa_token, **factor}, format="json")


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"
