"""Sensitive changes need a fresh proof of identity on the session that asks (issue 13, item 2).

Each attack test plays someone holding only a signed-in client whose login is older than the window (a stolen
access token, or a device left signed in): every sensitive change is refused with reauthentication_required
and nothing changes. Then the owner proves it is them on that session, and the change goes through.
"""

from datetime import timedelta

import pytest
from rest_framework.test import APIClient

from apps.audit.models import AuditAction, AuditLog
from apps.users.models import LoginSession, TotpDevice, User
from apps.users.tests.account_support import (
    CHANGE_SUBJECT,
    EMAIL_CHANGE,
    ME,
    ask_email_change,
    login,
    mails,
    refresh,
    refused,
)
from apps.users.tests.mfa_helpers import CONFIRM, DISABLE, ENROL, STATUS, enable_mfa, totp_code, wrong
from apps.users.tests.otp_helpers import request_code
from apps.users.tests.reauth_support import (
    REAUTH_CODE,
    REAUTH_CODE_REQUEST,
    REAUTH_MFA,
    RECOVERY_CODES,
    REVOKE_OTHERS,
    last_reauth_code,
    let_window_pass,
    reauth_required,
    reauth_with_password,
)

pytestmark = pytest.mark.django_db
NO_MFA = ["password", "email_code"]
WITH_MFA = ["password", "email_code", "totp", "recovery_code"]


@pytest.fixture
def mfa_on(auth_client, clock):
    """The signed-in owner has MFA on: (secret, recovery codes); the confirming code's step is spent."""
    secret, recovery = enable_mfa(auth_client)
    clock.advance(timedelta(seconds=30))
    return secret, recovery


def send(client, path: str, **body):
    return client.post(path, body, format="json")


def bearer(access: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client


# --- the attacker: only a signed-in client, no recent proof -------------------------------------------------


def test_a_stolen_token_cannot_turn_on_mfa(auth_client, user, clock):
    let_window_pass(clock)

    reauth_required(auth_client.post(ENROL), methods=NO_MFA)

    assert not TotpDevice.objects.filter(user=user).exists()
    assert auth_client.get(STATUS).json() == {"enabled": False, "recovery_codes_remaining": 0}


def test_a_stolen_token_cannot_confirm_an_enrolment_and_get_the_recovery_codes(auth_client, user, clock):
    secret = auth_client.post(ENROL).json()["secret"]  # started by the owner, right after signing in
    let_window_pass(clock)

    reauth_required(send(auth_client, CONFIRM, code=totp_code(secret)))

    assert auth_client.get(STATUS).json()["enabled"] is False


def test_a_stolen_token_cannot_make_new_recovery_codes(auth_client, mfa_on, clock):
    _, recovery = mfa_on
    let_window_pass(clock)

    reauth_required(auth_client.post(RECOVERY_CODES), methods=WITH_MFA)

    assert auth_client.get(STATUS).json() == {"enabled": True, "recovery_codes_remaining": 10}
    assert send(auth_client, REAUTH_MFA, recovery_code=recovery[0]).status_code == 200


def test_a_stolen_token_cannot_sign_the_owner_out_everywhere_else(auth_client, user, password, clock):
    phone = login(APIClient(), user.email, password).json()
    let_window_pass(clock)

    reauth_required(auth_client.post(REVOKE_OTHERS))

    assert refresh(APIClient(), phone["refresh"]).status_code == 200
    assert LoginSession.objects.filter(user=user, revoked_at__isnull=True).count() == 2


def test_a_stolen_token_cannot_ask_for_an_email_change_without_the_password(
    auth_client, user, clock, mailoutbox
):
    let_window_pass(clock)

    reauth_required(send(auth_client, EMAIL_CHANGE, new_email="thief@example.com"))
    refused(ask_email_change(auth_client, "thief@example.com", "Guess1234!"), 400, "wrong_password")

    assert mails(mailoutbox, "thief@example.com", CHANGE_SUBJECT) == []
    assert not user.email_changes.exists()


def test_a_stolen_token_cannot_delete_the_account_without_the_password(auth_client, user, clock):
    let_window_pass(clock)

    reauth_required(auth_client.delete(ME, {}, format="json"))
    reauth_required(auth_client.delete(ME))

    user.refresh_from_db()
    assert user.is_active
    assert user.deleted_at is None


def test_a_stolen_token_cannot_turn_mfa_off_without_a_second_factor(auth_client, mfa_on, clock):
    secret, _ = mfa_on
    let_window_pass(clock)

    assert auth_client.post(DISABLE, {}, format="json").status_code == 400
    refused(send(auth_client, DISABLE, code=wrong(totp_code(secret))), 400, "invalid_mfa_code")

    assert auth_client.get(STATUS).json()["enabled"] is True


def test_a_refresh_does_not_renew_the_proof(auth_client, clock):
    let_window_pass(clock)
    tokens = refresh(APIClient(), auth_client.tokens["refresh"]).json()

    reauth_required(bearer(tokens["access"]).post(ENROL))


def test_a_wrong_password_does_not_reauthenticate_and_is_audited(auth_client, user, clock):
    let_window_pass(clock)

    response = reauth_with_password(auth_client, "NotMyPass123!")

    assert set(refused(response, 400, "wrong_password")) == {"error", "code"}
    reauth_required(auth_client.post(ENROL))
    assert AuditLog.objects.filter(actor=user, action_type=AuditAction.REAUTHENTICATION_FAILED).count() == 1


def test_reauthentication_needs_a_signed_in_session(api_client, password):
    assert reauth_with_password(api_client, password).status_code == 401
    assert api_client.post(REAUTH_CODE_REQUEST).status_code == 401
    assert api_client.post(RECOVERY_CODES).status_code == 401


# --- the owner: a fresh proof on this session ---------------------------------------------------------------


def test_a_login_counts_as_a_fresh_proof_for_its_session(auth_client, user):
    assert auth_client.post(ENROL).status_code == 201
    assert auth_client.post(REVOKE_OTHERS).json() == {"revoked": 0}


def test_after_a_password_reauthentication_every_sensitive_change_works(
    auth_client, user, password, clock, mailoutbox
):
    phone = login(APIClient(), user.email, password).json()
    let_window_pass(clock)

    response = reauth_with_password(auth_client, password)

    assert response.status_code == 200, response.content
    assert response.json()["expires_in"] == 300
    assert auth_client.post(REVOKE_OTHERS).json() == {"revoked": 1}
    assert refresh(APIClient(), phone["refresh"]).status_code == 401
    secret = auth_client.post(ENROL).json()["secret"]
    confirmed = send(auth_client, CONFIRM, code=totp_code(secret))
    assert confirmed.status_code == 200
    assert len(confirmed.json()["recovery_codes"]) == 10
    fresh = auth_client.post(RECOVERY_CODES)
    assert fresh.status_code == 200
    assert len(set(fresh.json()["recovery_codes"])) == 10
    assert not set(fresh.json()["recovery_codes"]) & set(confirmed.json()["recovery_codes"])
    assert send(auth_client, EMAIL_CHANGE, new_email="ann@example.org").status_code == 200
    assert mails(mailoutbox, "ann@example.org", CHANGE_SUBJECT)
    assert auth_client.delete(ME).status_code == 204
    assert not User.objects.get(pk=user.pk).is_active


def test_the_proof_lapses_when_the_window_ends(auth_client, password, clock):
    let_window_pass(clock)
    assert reauth_with_password(auth_client, password).status_code == 200
    clock.advance(timedelta(minutes=4, seconds=59))
    assert auth_client.post(REVOKE_OTHERS).status_code == 200

    clock.advance(timedelta(seconds=2))

    reauth_required(auth_client.post(REVOKE_OTHERS))


def test_the_window_is_a_setting(auth_client, password, clock, settings):
    settings.REAUTHENTICATION_MINUTES = 1
    clock.advance(timedelta(minutes=1, seconds=1))
    reauth_required(auth_client.post(REVOKE_OTHERS))
    assert reauth_with_password(auth_client, password).json()["expires_in"] == 60


def test_a_reauthentication_on_one_session_does_not_unlock_another(
    auth_client, client_for, user, password, clock
):
    laptop = client_for(user)
    let_window_pass(clock)

    assert reauth_with_password(laptop, password).status_code == 200

    reauth_required(auth_client.post(ENROL))
    reauth_required(auth_client.delete(ME))
    assert laptop.post(ENROL).status_code == 201


def test_the_password_in_the_body_still_counts_as_the_proof(auth_client, user, password, clock, mailoutbox):
    let_window_pass(clock)
    assert ask_email_change(auth_client, "ann@example.org", password).status_code == 200
    assert auth_client.delete(ME, {"password": password}, format="json").status_code == 204


def test_a_totp_code_reauthenticates_once(auth_client, mfa_on, clock):
    secret, _ = mfa_on
    let_window_pass(clock)
    code = totp_code(secret)

    assert send(auth_client, REAUTH_MFA, code=code).status_code == 200
    assert auth_client.post(RECOVERY_CODES).status_code == 200

    let_window_pass(clock)
    refused(send(auth_client, REAUTH_MFA, code=wrong(totp_code(secret))), 400, "invalid_mfa_code")
    reauth_required(auth_client.post(RECOVERY_CODES))


def test_a_recovery_code_reauthenticates_once_and_the_status_counts_what_is_left(auth_client, mfa_on, clock):
    _, recovery = mfa_on
    let_window_pass(clock)

    assert send(auth_client, REAUTH_MFA, recovery_code=recovery[0]).status_code == 200
    assert auth_client.get(STATUS).json()["recovery_codes_remaining"] == 9

    let_window_pass(clock)
    refused(send(auth_client, REAUTH_MFA, recovery_code=recovery[0]), 400, "invalid_mfa_code")
    reauth_required(auth_client.post(REVOKE_OTHERS))


def test_new_recovery_codes_replace_the_old_ones_and_tell_the_owner(auth_client, user, mfa_on, mailoutbox):
    _, old = mfa_on
    new = auth_client.post(RECOVERY_CODES).json()["recovery_codes"]

    assert auth_client.get(STATUS).json()["recovery_codes_remaining"] == 10
    refused(send(auth_client, REAUTH_MFA, recovery_code=old[1]), 400, "invalid_mfa_code")
    assert send(auth_client, REAUTH_MFA, recovery_code=new[1]).status_code == 200
    assert mails(mailoutbox, user.email, "New KinWise recovery codes were created")
    assert AuditLog.objects.filter(actor=user, action_type=AuditAction.RECOVERY_CODES_REGENERATED).exists()


def test_new_recovery_codes_need_mfa_on(auth_client):
    refused(auth_client.post(RECOVERY_CODES), 409, "mfa_not_enabled")


def test_mfa_reauthentication_needs_mfa_on(auth_client):
    refused(send(auth_client, REAUTH_MFA, code="123456"), 400, "mfa_not_enabled")


# --- the emailed code --------------------------------------------------------------------------------------


def test_an_emailed_code_reauthenticates_the_session_that_asked(auth_client, user, clock, mailoutbox):
    let_window_pass(clock)

    sent = auth_client.post(REAUTH_CODE_REQUEST)

    assert sent.status_code == 200
    assert sent.json()["expires_in"] == 600
    code = last_reauth_code(mailoutbox, user.email)
    assert send(auth_client, REAUTH_CODE, code=code).status_code == 200
    assert auth_client.post(ENROL).status_code == 201
    let_window_pass(clock)
    refused(send(auth_client, REAUTH_CODE, code=code), 400, "invalid_code")  # single use


def test_an_emailed_code_does_not_work_on_another_session(auth_client, client_for, user, clock, mailoutbox):
    laptop = client_for(user)
    let_window_pass(clock)
    auth_client.post(REAUTH_CODE_REQUEST)
    code = last_reauth_code(mailoutbox, user.email)

    refused(send(laptop, REAUTH_CODE, code=code), 400, "invalid_code")

    reauth_required(laptop.post(ENROL))
    assert send(auth_client, REAUTH_CODE, code=code).status_code == 200


def test_only_the_newest_emailed_code_works(auth_client, user, clock, mailoutbox, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "reauthentication_code_user": "10/10m"}
    let_window_pass(clock)
    auth_client.post(REAUTH_CODE_REQUEST)
    first = last_reauth_code(mailoutbox, user.email)
    auth_client.post(REAUTH_CODE_REQUEST)
    second = last_reauth_code(mailoutbox, user.email)

    if first != second:
        refused(send(auth_client, REAUTH_CODE, code=first), 400, "invalid_code")
    assert send(auth_client, REAUTH_CODE, code=second).status_code == 200


def test_an_emailed_code_dies_after_five_tries_even_if_the_sixth_is_right(
    auth_client, user, clock, mailoutbox
):
    let_window_pass(clock)
    auth_client.post(REAUTH_CODE_REQUEST)
    code = last_reauth_code(mailoutbox, user.email)

    for _ in range(5):
        refused(send(auth_client, REAUTH_CODE, code=wrong(code)), 400, "invalid_code")
    refused(send(auth_client, REAUTH_CODE, code=code), 400, "invalid_code")

    reauth_required(auth_client.post(ENROL))


def test_an_emailed_code_expires_after_ten_minutes(auth_client, user, clock, mailoutbox):
    let_window_pass(clock)
    auth_client.post(REAUTH_CODE_REQUEST)
    clock.advance(timedelta(minutes=10, seconds=1))

    response = send(auth_client, REAUTH_CODE, code=last_reauth_code(mailoutbox, user.email))

    refused(response, 400, "expired")


def test_wrong_emailed_codes_spend_a_per_account_budget_in_the_database(
    auth_client, api_client, client_for, user, clock, mailoutbox, settings
):
    """The budget is the account's, whatever the session or client address: once spent, codes pause (429)."""
    settings.OTP_FAILURE_BUDGET = 3
    laptop = client_for(user)
    let_window_pass(clock)
    auth_client.post(REAUTH_CODE_REQUEST)
    code = last_reauth_code(mailoutbox, user.email)
    for _ in range(3):
        refused(send(auth_client, REAUTH_CODE, code=wrong(code)), 400, "invalid_code")

    assert send(auth_client, REAUTH_CODE, code=code).status_code == 429
    assert laptop.post(REAUTH_CODE_REQUEST).status_code == 429
    assert mails(mailoutbox, user.email, "KinWise confirmation codes are paused")
    # email-code login has its own budget: not paused
    assert request_code(api_client, user.email).status_code == 200
    assert mails(mailoutbox, user.email, "Your KinWise login code")


def test_code_requests_are_limited_per_user(auth_client):
    codes = [auth_client.post(REAUTH_CODE_REQUEST).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]


def test_a_malformed_code_is_refused_without_a_500(auth_client):
    for code in ("", "12345", "abcdef", "1234567", " " * 6):
        response = send(auth_client, REAUTH_CODE, code=code)
        assert response.status_code == 400, (code, response.content)
