"""POST /api/v1/auth/password/reset/ and /reset/confirm/ — forgotten password by emailed link or code."""

from datetime import timedelta

import pytest
from rest_framework.test import APIClient

from apps.audit.models import AuditAction, AuditLog
from apps.users.tests.account_support import (
    NEW_PASSWORD,
    RESET_CONFIRM,
    RESET_NOTICE,
    RESET_SUBJECT,
    ask_reset,
    code_in,
    last_mail,
    login,
    mails,
    refresh,
    refused,
    reset_with_code,
    reset_with_token,
    token_in,
    wrong,
)
from apps.users.tests.factories import UserFactory
from apps.users.tests.mfa_helpers import answer, enable_mfa, totp_code
from apps.users.tests.secret_scan import database_hits

pytestmark = pytest.mark.django_db


@pytest.fixture
def reset_mail(api_client, user, mailoutbox):
    """Ask for a reset of `user` over HTTP; return the email it received."""
    assert ask_reset(api_client, user.email).status_code == 200
    return last_mail(mailoutbox, user.email, RESET_SUBJECT)


def test_reset_by_link_sets_the_password_and_signs_out_every_session(
    auth_client, api_client, user, password, mailoutbox, settings
):
    settings.FRONTEND_URL = "https://app.kinwise.test"
    assert ask_reset(api_client, user.email).status_code == 200
    mail = last_mail(mailoutbox, user.email, RESET_SUBJECT)
    link = mail.body.split("Choose a new password here:\n")[1].split()[0]
    assert link.startswith("https://app.kinwise.test/reset-password?token=")
    assert link in mail.alternatives[0][0]

    response = reset_with_token(api_client, token_in(mail.body, "reset-password"))

    assert response.status_code == 200, response.content
    assert response.json() == {"message": "Your password has been reset. Sign in with your new password."}
    assert refresh(api_client, auth_client.tokens["refresh"]).status_code == 401
    assert login(api_client, user.email, password).status_code == 401
    assert login(api_client, user.email, NEW_PASSWORD).status_code == 200
    assert len(mails(mailoutbox, user.email, RESET_NOTICE)) == 1
    row = AuditLog.objects.get(action_type=AuditAction.PASSWORD_RESET)
    assert (row.actor, row.metadata) == (user, {"sessions_revoked": 1, "via": "link"})
    assert AuditLog.objects.filter(action_type=AuditAction.PASSWORD_RESET_REQUESTED, actor=user).count() == 1


def test_reset_by_email_and_code(auth_client, api_client, user, password, reset_mail, mailoutbox):
    response = reset_with_code(api_client, user.email.upper(), code_in(reset_mail.body))
    assert response.status_code == 200, response.content
    assert refresh(api_client, auth_client.tokens["refresh"]).status_code == 401
    assert login(api_client, user.email, NEW_PASSWORD).status_code == 200
    assert len(mails(mailoutbox, user.email, RESET_NOTICE)) == 1


def test_link_works_once(api_client, user, reset_mail):
    token = token_in(reset_mail.body, "reset-password")
    assert reset_with_token(api_client, token).status_code == 200
    refused(reset_with_token(api_client, token, password="ThirdPass789!"), 400, "invalid_token")
    assert login(api_client, user.email, NEW_PASSWORD).status_code == 200


def test_code_works_once_and_not_after_the_link_was_used(api_client, user, reset_mail):
    assert reset_with_token(api_client, token_in(reset_mail.body, "reset-password")).status_code == 200
    refused(
        reset_with_code(api_client, user.email, code_in(reset_mail.body), "ThirdPass789!"),
        400,
        "invalid_code",
    )
    assert login(api_client, user.email, NEW_PASSWORD).status_code == 200


def test_link_works_until_one_hour(api_client, user, reset_mail, clock):
    clock.advance(timedelta(minutes=59, seconds=59))
    assert reset_with_token(api_client, token_in(reset_mail.body, "reset-password")).status_code == 200


def test_expired_link_and_code_are_refused_and_change_nothing(api_client, user, password, reset_mail, clock):
    clock.advance(timedelta(hours=1, seconds=1))
    refused(reset_with_token(api_client, token_in(reset_mail.body, "reset-password")), 400, "expired")
    refused(reset_with_code(api_client, user.email, code_in(reset_mail.body)), 400, "expired")
    assert login(api_client, user.email, password).status_code == 200


def test_a_new_request_replaces_the_older_link_and_code(api_client, user, mailoutbox):
    ask_reset(api_client, user.email)
    ask_reset(api_client, user.email)
    first, second = mails(mailoutbox, user.email, RESET_SUBJECT)
    refused(reset_with_token(api_client, token_in(first.body, "reset-password")), 400, "invalid_token")
    refused(reset_with_code(api_client, user.email, code_in(first.body)), 400, "invalid_code")
    assert reset_with_token(api_client, token_in(second.body, "reset-password")).status_code == 200


def test_same_answer_for_unknown_unverified_verified_and_deactivated_addresses(api_client, mailoutbox):
    verified = UserFactory()
    unverified = UserFactory(is_active=False, email_verified=False)
    deactivated = UserFactory(is_active=False, email_verified=True)
    answers = {
        address: ask_reset(api_client, address)
        for address in (verified.email, unverified.email, deactivated.email, "nobody@example.com")
    }
    bodies = {(r.status_code, r.content) for r in answers.values()}
    assert len(bodies) == 1
    assert answers["nobody@example.com"].json() == {
        "message": "If an account exists for this address, we have emailed it a link and a code to reset "
        "its password.",
        "expires_in": 3600,
    }
    assert sorted(m.to[0] for m in mailoutbox) == sorted([verified.email, unverified.email])


def test_resetting_an_unverified_account_verifies_its_email(api_client, mailoutbox):
    pending = UserFactory(is_active=False, email_verified=False)
    ask_reset(api_client, pending.email)
    mail = last_mail(mailoutbox, pending.email, RESET_SUBJECT)
    assert reset_with_token(api_client, token_in(mail.body, "reset-password")).status_code == 200
    assert login(api_client, pending.email, NEW_PASSWORD).status_code == 200
    assert AuditLog.objects.filter(action_type=AuditAction.EMAIL_VERIFIED, actor=pending).count() == 1


def test_five_tries_per_code_then_it_is_dead_but_the_link_still_works(api_client, user, reset_mail):
    code = code_in(reset_mail.body)
    for _ in range(5):
        refused(reset_with_code(api_client, user.email, wrong(code)), 400, "invalid_code")
    refused(reset_with_code(api_client, user.email, code), 400, "invalid_code")
    assert reset_with_token(api_client, token_in(reset_mail.body, "reset-password")).status_code == 200


def test_the_right_code_on_the_fifth_try_still_works(api_client, user, reset_mail):
    code = code_in(reset_mail.body)
    for _ in range(4):
        refused(reset_with_code(api_client, user.email, wrong(code)), 400, "invalid_code")
    assert reset_with_code(api_client, user.email, code).status_code == 200


def test_wrong_code_unknown_address_and_no_reset_are_answered_alike(api_client, user, reset_mail):
    code = code_in(reset_mail.body)
    answers = [
        reset_with_code(api_client, user.email, wrong(code)),
        reset_with_code(api_client, "nobody@example.com", code),
        reset_with_code(api_client, UserFactory().email, code),
    ]
    assert {(r.status_code, r.content) for r in answers} == {(answers[0].status_code, answers[0].content)}
    refused(answers[0], 400, "invalid_code")


def test_weak_new_password_lists_the_rules_and_keeps_the_link_usable(api_client, user, reset_mail):
    token = token_in(reset_mail.body, "reset-password")
    response = reset_with_token(api_client, token, password="abc")
    assert response.status_code == 400
    assert "too short" in " ".join(response.json()["new_password"])
    mismatch = reset_with_token(api_client, token, confirm="Different123!")
    assert "new_password_confirm" in mismatch.json()
    assert reset_with_token(api_client, token).status_code == 200


def test_a_password_like_the_users_own_name_is_refused_once_the_user_is_known(api_client, mailoutbox):
    bart = UserFactory(first_name="Bartholomew")
    ask_reset(api_client, bart.email)
    token = token_in(last_mail(mailoutbox, bart.email, RESET_SUBJECT).body, "reset-password")
    response = reset_with_token(api_client, token, password="Bartholomew1")
    assert response.status_code == 400
    assert "too similar" in " ".join(response.json()["new_password"])
    assert reset_with_token(api_client, token).status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        {"token": "x" * 500},
        {"token": "not a token!"},
        {"token": "A" * 43},
        {"email": "a@example.com", "code": "12a456"},
        {"email": "a@example.com", "code": "1234567"},
    ],
)
def test_malformed_or_unknown_secrets_are_refused_without_error(api_client, body):
    payload = {**body, "new_password": NEW_PASSWORD, "new_password_confirm": NEW_PASSWORD}
    response = api_client.post(RESET_CONFIRM, payload, format="json")
    assert response.status_code == 400
    assert response.json()["code"] in {"invalid_token", "invalid_code"}


def test_neither_token_nor_code_is_a_field_error(api_client):
    body = {"new_password": NEW_PASSWORD, "new_password_confirm": NEW_PASSWORD}
    response = api_client.post(RESET_CONFIRM, body, format="json")
    assert response.status_code == 400
    assert "non_field_errors" in response.json()


def test_requests_are_limited_per_email_and_per_ip(api_client, user, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "password_reset_email": "2/h", "password_reset_ip": "4/h"}
    assert [ask_reset(api_client, user.email).status_code for _ in range(3)] == [200, 200, 429]
    assert ask_reset(api_client, "other@example.com").status_code == 200
    response = ask_reset(api_client, "third@example.com")
    assert response.status_code == 429
    assert "Retry-After" in response


def test_an_account_gets_at_most_five_reset_emails_a_day(api_client, user, mailoutbox, settings, clock):
    settings.RATE_LIMITS = {
        **settings.RATE_LIMITS,
        "password_reset_email": "100/h",
        "password_reset_ip": "100/h",
    }
    answers = {ask_reset(api_client, user.email).content for _ in range(7)}
    assert len(answers) == 1
    assert len(mails(mailoutbox, user.email, RESET_SUBJECT)) == 5
    clock.advance(timedelta(hours=24))
    ask_reset(api_client, user.email)
    assert len(mails(mailoutbox, user.email, RESET_SUBJECT)) == 6


def test_link_token_and_code_are_not_stored(api_client, user, reset_mail):
    token, code = token_in(reset_mail.body, "reset-password"), code_in(reset_mail.body)
    assert database_hits(token) == []
    assert database_hits(code) == []


def test_refusals_are_audited(api_client, user, reset_mail):
    reset_with_code(api_client, user.email, wrong(code_in(reset_mail.body)))
    row = AuditLog.objects.get(action_type=AuditAction.PASSWORD_RESET_FAILED)
    assert row.actor == user
    assert row.metadata["reason"] == "wrong_code"


def test_a_request_costs_a_bounded_number_of_queries(api_client, user, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        assert ask_reset(api_client, user.email).status_code == 200


def test_a_link_sent_before_a_secret_key_rotation_still_works(api_client, user, reset_mail, settings):
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "rotated-" + settings.SECRET_KEY
    assert reset_with_token(api_client, token_in(reset_mail.body, "reset-password")).status_code == 200


def test_after_a_rotation_without_fallbacks_the_link_is_refused(api_client, user, reset_mail, settings):
    settings.SECRET_KEY = "rotated-" + settings.SECRET_KEY
    settings.SECRET_KEY_FALLBACKS = []
    refused(reset_with_token(api_client, token_in(reset_mail.body, "reset-password")), 400, "invalid_token")


def test_a_second_factor_pending_from_a_login_with_the_old_password_dies_with_the_reset(
    auth_client, api_client, user, password, mailoutbox, clock
):
    secret, _ = enable_mfa(auth_client)
    clock.advance(timedelta(seconds=30))
    pending = login(APIClient(), user.email, password).json()["mfa_token"]
    ask_reset(api_client, user.email)
    reset_with_token(
        api_client, token_in(last_mail(mailoutbox, user.email, RESET_SUBJECT).body, "reset-password")
    )
    assert answer(pending, code=totp_code(secret)).status_code == 401
    fresh = login(APIClient(), user.email, NEW_PASSWORD).json()
    assert fresh.get("mfa_required") is True  # the reset leaves MFA on
