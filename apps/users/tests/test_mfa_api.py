"""TOTP MFA: enrol, confirm, the login challenge after password or email code, recovery codes, disable."""

from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from cryptography.fernet import InvalidToken

from apps.audit.models import AuditAction, AuditLog
from apps.users.models import TotpDevice
from apps.users.tests.mfa_helpers import (
    CONFIRM,
    DISABLE,
    ENROL,
    STATUS,
    answer,
    enable_mfa,
    password_login,
    totp_code,
    wrong,
)
from apps.users.tests.otp_helpers import fresh_code, verify_code
from apps.users.tests.secret_scan import database_hits
from conftest import CommitAwareAPIClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def mfa_user(auth_client, clock):
    """A signed-in client whose user has MFA on: (client, secret, recovery codes)."""
    secret, recovery = enable_mfa(auth_client)
    clock.advance(timedelta(seconds=30))  # the confirming code's step is spent; move to the next one
    return auth_client, secret, recovery


def challenge(user, password) -> str:
    response = password_login(CommitAwareAPIClient(), user.email, password)
    assert response.status_code == 200
    assert set(response.json()) == {"mfa_required", "mfa_token"}
    return response.json()["mfa_token"]


def test_enrol_returns_a_secret_and_an_otpauth_uri(auth_client, user):
    response = auth_client.post(ENROL)
    assert response.status_code == 201
    body = response.json()
    uri = urlparse(body["otpauth_uri"])
    assert uri.scheme == "otpauth"
    assert uri.netloc == "totp"
    assert parse_qs(uri.query)["secret"] == [body["secret"]]
    assert parse_qs(uri.query)["issuer"] == ["KinWise"]
    assert user.email in uri.path.replace("%40", "@")


def test_mfa_is_not_on_until_confirmed(auth_client, user, password):
    auth_client.post(ENROL)
    assert auth_client.get(STATUS).json() == {"enabled": False, "recovery_codes_remaining": 0}
    assert "access" in password_login(CommitAwareAPIClient(), user.email, password).json()


def test_confirm_with_a_wrong_code_is_refused(auth_client):
    secret = auth_client.post(ENROL).json()["secret"]
    response = auth_client.post(CONFIRM, {"code": wrong(totp_code(secret))}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_mfa_code"


def test_confirm_turns_mfa_on_returns_ten_recovery_codes_and_tells_the_owner(auth_client, user, mailoutbox):
    _, recovery = enable_mfa(auth_client)
    assert len(recovery) == len(set(recovery)) == 10
    assert auth_client.get(STATUS).json() == {"enabled": True, "recovery_codes_remaining": 10}
    assert [m.subject for m in mailoutbox if m.to == [user.email]] == ["Two-factor authentication is now on"]
    assert AuditLog.objects.filter(action_type=AuditAction.MFA_ENROLLED, actor=user).exists()


def test_enrol_again_while_on_is_a_conflict(mfa_user):
    client, _, _ = mfa_user
    assert client.post(ENROL).status_code == 409


def test_management_endpoints_need_a_signed_in_user(api_client):
    assert api_client.post(ENROL).status_code == 401
    assert api_client.get(STATUS).status_code == 401


def test_password_login_stops_at_the_challenge_and_the_totp_code_finishes_it(mfa_user, user, password):
    _, secret, _ = mfa_user
    token = challenge(user, password)
    response = answer(token, code=totp_code(secret))
    assert response.status_code == 200
    assert set(response.json()) == {"access", "refresh", "user"}
    client = CommitAwareAPIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['access']}")
    assert client.get("/api/v1/auth/me/").json()["email"] == user.email
    assert AuditLog.objects.filter(action_type=AuditAction.MFA_PASSED, actor=user).count() == 1


def test_otp_login_of_an_mfa_user_returns_a_challenge_not_tokens(mfa_user, user, api_client, mailoutbox):
    _, secret, _ = mfa_user
    response = verify_code(api_client, user.email, fresh_code(api_client, mailoutbox, user.email))
    assert response.status_code == 200
    assert set(response.json()) == {"mfa_required", "mfa_token"}
    finished = answer(response.json()["mfa_token"], code=totp_code(secret))
    assert finished.status_code == 200
    assert "access" in finished.json()
    assert AuditLog.objects.filter(action_type=AuditAction.OTP_LOGIN, actor=user).count() == 1


def test_a_challenge_is_single_use(mfa_user, user, password):
    _, secret, _ = mfa_user
    token = challenge(user, password)
    assert answer(token, code=totp_code(secret)).status_code == 200
    again = answer(token, code=totp_code(secret, steps_ahead=1))
    assert again.status_code == 401
    assert again.json()["code"] == "mfa_token_invalid"


def test_a_challenge_expires_after_five_minutes(mfa_user, user, password, clock):
    _, secret, _ = mfa_user
    token = challenge(user, password)
    clock.advance(timedelta(minutes=5, seconds=1))
    assert answer(token, code=totp_code(secret)).status_code == 401


def test_unknown_or_garbage_tokens_are_401(mfa_user):
    assert answer("nope", code="123456").status_code == 401
    assert answer("x" * 128, recovery_code="abcde-fghij").status_code == 401


def test_same_totp_code_cannot_be_used_twice(mfa_user, user, password):
    _, secret, _ = mfa_user
    code = totp_code(secret)
    assert answer(challenge(user, password), code=code).status_code == 200
    replay = answer(challenge(user, password), code=code)
    assert replay.status_code == 400
    assert replay.json()["code"] == "invalid_mfa_code"
    assert answer(challenge(user, password), code=totp_code(secret, 1)).status_code == 200


def test_the_code_that_confirmed_enrolment_cannot_log_in(auth_client, user, password):
    secret, _ = enable_mfa(auth_client)
    code = totp_code(secret)
    assert answer(challenge(user, password), code=code).status_code == 400


def test_codes_from_a_step_either_side_are_accepted_but_not_further(mfa_user, user, password):
    _, secret, _ = mfa_user
    assert answer(challenge(user, password), code=totp_code(secret, 2)).status_code == 400
    assert answer(challenge(user, password), code=totp_code(secret, 1)).status_code == 200


def test_challenge_dies_after_five_wrong_codes_even_if_the_sixth_is_right(mfa_user, user, password, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "mfa_verify_ip": "100/m"}
    _, secret, _ = mfa_user
    token = challenge(user, password)
    right = totp_code(secret)
    for _ in range(5):
        assert answer(token, code=wrong(right)).status_code == 400
    assert answer(token, code=right).status_code == 401
    assert AuditLog.objects.filter(action_type=AuditAction.MFA_FAILED, actor=user).count() == 5


def test_recovery_code_logs_in_once_and_tells_the_owner(mfa_user, user, password, mailoutbox):
    client, _, recovery = mfa_user
    response = answer(challenge(user, password), recovery_code=recovery[0].upper())
    assert response.status_code == 200
    assert "access" in response.json()
    assert answer(challenge(user, password), recovery_code=recovery[0]).status_code == 400
    assert client.get(STATUS).json()["recovery_codes_remaining"] == 9
    assert AuditLog.objects.filter(action_type=AuditAction.RECOVERY_CODE_USED, actor=user).count() == 1
    assert "A KinWise recovery code was used" in [m.subject for m in mailoutbox]


@pytest.mark.parametrize(
    "body", [{}, {"code": "123456", "recovery_code": "abcde-fghij"}, {"code": "12345"}, {"code": "١٢٣٤٥٦"}]
)
def test_exactly_one_well_formed_factor_is_required(mfa_user, user, password, body):
    response = answer(challenge(user, password), **body)
    assert response.status_code == 400
    assert "error" not in response.json()


def test_disable_needs_a_right_code_then_logins_skip_the_challenge(mfa_user, user, password, mailoutbox):
    client, secret, _ = mfa_user
    refused = client.post(DISABLE, {"code": wrong(totp_code(secret))}, format="json")
    assert refused.status_code == 400
    assert client.post(DISABLE, {"code": totp_code(secret)}, format="json").status_code == 200
    assert client.get(STATUS).json() == {"enabled": False, "recovery_codes_remaining": 0}
    assert "access" in password_login(CommitAwareAPIClient(), user.email, password).json()
    assert AuditLog.objects.filter(action_type=AuditAction.MFA_DISABLED, actor=user).exists()
    assert "Two-factor authentication was turned off" in [m.subject for m in mailoutbox]


def test_disable_with_a_recovery_code(mfa_user):
    client, _, recovery = mfa_user
    assert client.post(DISABLE, {"recovery_code": recovery[3]}, format="json").status_code == 200


def test_disable_when_off_is_a_conflict(auth_client):
    assert auth_client.post(DISABLE, {"code": "123456"}, format="json").status_code == 409


def test_secret_and_recovery_codes_rest_only_encrypted_or_hashed(mfa_user):
    _, secret, recovery = mfa_user
    assert database_hits(secret) == []
    for code in recovery:
        assert database_hits(code) == []
        assert database_hits(code.replace("-", "")) == []


def test_the_stored_secret_needs_the_key_from_settings(mfa_user, user, settings):
    from apps.users.mfa.services.mfa import _seed_box

    _, secret, _ = mfa_user
    stored = TotpDevice.objects.get(user=user).secret_encrypted
    assert _seed_box.decrypt(stored) == secret
    settings.MFA_ENCRYPTION_KEY = "another-key-than-the-one-it-was-encrypted-with"
    with pytest.raises(InvalidToken):
        _seed_box.decrypt(stored)


def test_wrong_totp_codes_past_the_budget_pause_totp_but_not_recovery_codes(
    mfa_user, user, password, settings, mailoutbox
):
    settings.MFA_FAILURE_BUDGET = 3
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "mfa_verify_ip": "100/m", "login_ip": "100/m"}
    _, secret, recovery = mfa_user
    bad = wrong(totp_code(secret))
    for _ in range(3):
        assert answer(challenge(user, password), code=bad).status_code == 400
    paused = answer(challenge(user, password), code=totp_code(secret))
    assert paused.status_code == 429
    assert int(paused["Retry-After"]) > 3600
    assert [m.subject for m in mailoutbox].count("Two-factor codes for KinWise are paused") == 1
    assert answer(challenge(user, password), recovery_code=recovery[0]).status_code == 200


def test_replaying_a_used_code_is_refused_but_spends_no_guessing_budget(mfa_user, user, password, settings):
    settings.MFA_FAILURE_BUDGET = 2
    _, secret, _ = mfa_user
    code = totp_code(secret)
    assert answer(challenge(user, password), code=code).status_code == 200
    for _ in range(3):
        assert answer(challenge(user, password), code=code).status_code == 400
    assert answer(challenge(user, password), code=totp_code(secret, 1)).status_code == 200
