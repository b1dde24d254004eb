"""Email OTP login over HTTP: the plan's test_otp.py cases and the rules of issue 5."""

from datetime import timedelta

import pytest
from rest_framework.test import APIClient

from apps.audit.models import AuditAction, AuditLog
from apps.users.models import LoginSession
from apps.users.tests.factories import UserFactory
from apps.users.tests.otp_helpers import (
    fresh_code,
    last_code,
    request_code,
    request_url,
    verify_code,
    verify_url,
    wrong,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def relaxed_limits(settings):
    """Per-client and per-email limits out of the way, for tests about the per-code and per-account rules."""
    settings.RATE_LIMITS = {
        **settings.RATE_LIMITS,
        "otp_request_ip": "100/10m",
        "otp_request_email": "100/10m",
        "otp_verify_ip": "100/10m",
        "otp_verify_email": "100/10m",
    }


def test_plan_url_names_resolve_to_the_documented_paths():
    assert request_url() == "/api/v1/auth/otp/request/"
    assert verify_url() == "/api/v1/auth/otp/verify/"


def test_request_sends_a_six_digit_code_by_email(api_client, user, mailoutbox):
    response = request_code(api_client, user.email)
    assert response.status_code == 200
    assert response.json()["expires_in"] == 600
    assert "message" in response.json()
    [message] = mailoutbox
    assert message.subject == "Your KinWise login code"
    assert message.to == [user.email]
    code = last_code(mailoutbox, user.email)
    assert code in message.alternatives[0][0]


def test_request_answers_identically_for_known_unknown_inactive_and_unverified(api_client, mailoutbox):
    UserFactory(email="known@example.com")
    UserFactory(email="inactive@example.com", is_active=False)
    UserFactory(email="unverified@example.com", email_verified=False)
    emails = ["known@example.com", "nobody@example.com", "inactive@example.com", "unverified@example.com"]
    responses = [request_code(api_client, e, REMOTE_ADDR=f"192.0.2.{i}") for i, e in enumerate(emails)]
    assert {r.status_code for r in responses} == {200}
    assert all(r.content == responses[0].content for r in responses)
    assert [m.to for m in mailoutbox] == [["known@example.com"]]


def test_verify_with_the_emailed_code_returns_tokens_and_user(api_client, user, mailoutbox):
    code = fresh_code(api_client, mailoutbox, user.email)
    response = verify_code(api_client, user.email, code)
    assert response.status_code == 200
    assert set(response.json()) == {"access", "refresh", "user"}
    assert response.json()["user"] == {
        "id": user.id,
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "role": user.role,
    }
    assert LoginSession.objects.get(user=user).method == "otp"


def test_access_token_from_otp_login_opens_me(api_client, user, mailoutbox):
    code = fresh_code(api_client, mailoutbox, user.email)
    access = verify_code(api_client, user.email, code).json()["access"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    assert api_client.get("/api/v1/auth/me/").json()["email"] == user.email


def test_email_is_matched_case_and_space_insensitively(api_client, user, mailoutbox):
    assert request_code(api_client, f"  {user.email.upper()} ").status_code == 200
    code = last_code(mailoutbox, user.email)
    assert verify_code(api_client, user.email.upper(), code).status_code == 200


def test_wrong_code_is_a_generic_400(api_client, user, mailoutbox):
    code = fresh_code(api_client, mailoutbox, user.email)
    response = verify_code(api_client, user.email, wrong(code))
    assert response.status_code == 400
    assert response.json() == {"error": "Invalid email or code.", "code": "invalid_otp"}


def test_used_code_unknown_email_and_wrong_code_look_the_same(api_client, user, mailoutbox):
    code = fresh_code(api_client, mailoutbox, user.email)
    assert verify_code(api_client, user.email, code).status_code == 200
    used = verify_code(api_client, user.email, code)
    unknown = verify_code(api_client, "nobody@example.com", code)
    other = UserFactory()
    no_code = verify_code(api_client, other.email, code)
    assert {used.status_code, unknown.status_code, no_code.status_code} == {400}
    assert used.json() == unknown.json() == no_code.json()


def test_expired_code_says_expired(api_client, user, mailoutbox, clock):
    code = fresh_code(api_client, mailoutbox, user.email)
    clock.advance(timedelta(minutes=10, seconds=1))
    response = verify_code(api_client, user.email, code)
    assert response.status_code == 400
    assert "expired" in response.json()["error"].lower()


def test_code_still_works_just_before_expiry(api_client, user, mailoutbox, clock):
    code = fresh_code(api_client, mailoutbox, user.email)
    clock.advance(timedelta(minutes=9, seconds=59))
    assert verify_code(api_client, user.email, code).status_code == 200


def test_newest_code_replaces_older_ones(api_client, user, mailoutbox):
    first = fresh_code(api_client, mailoutbox, user.email)
    second = fresh_code(api_client, mailoutbox, user.email)
    while second == first:  # one chance in a million
        second = fresh_code(api_client, mailoutbox, user.email)
    assert verify_code(api_client, user.email, first).status_code == 400
    assert verify_code(api_client, user.email, second).status_code == 200


def test_code_is_dead_after_five_wrong_tries_even_if_the_sixth_is_right(
    api_client, user, mailoutbox, relaxed_limits
):
    code = fresh_code(api_client, mailoutbox, user.email)
    statuses = [verify_code(api_client, user.email, wrong(code)).status_code for _ in range(5)]
    assert statuses == [400] * 5
    response = verify_code(api_client, user.email, code)
    assert response.status_code == 400
    assert response.json()["error"] == "Invalid email or code."
    assert AuditLog.objects.filter(action_type=AuditAction.OTP_KILLED, actor=user).count() == 1


def test_four_wrong_tries_leave_the_code_usable(api_client, user, mailoutbox, relaxed_limits):
    code = fresh_code(api_client, mailoutbox, user.email)
    for _ in range(4):
        verify_code(api_client, user.email, wrong(code))
    assert verify_code(api_client, user.email, code).status_code == 200


@pytest.mark.parametrize("bad", ["12345", "1234567", "12a456", "", "١٢٣٤٥٦", " 123456x"])
def test_code_that_is_not_six_digits_is_a_field_error(api_client, user, bad):
    response = verify_code(api_client, user.email, bad)
    assert response.status_code == 400
    assert set(response.json()) == {"code"}


def test_missing_or_malformed_email_is_a_field_error(api_client):
    assert set(api_client.post(request_url(), {}, format="json").json()) == {"email"}
    response = request_code(api_client, "not-an-email")
    assert response.status_code == 400
    assert set(response.json()) == {"email"}
    response = verify_code(api_client, "x" * 5000 + "@example.com", "123456")
    assert response.status_code == 400
    assert set(response.json()) == {"email"}


def test_otp_login_of_inactive_or_unverified_user_fails_like_a_wrong_code(api_client, mailoutbox, clock):
    user = UserFactory()
    code = fresh_code(api_client, mailoutbox, user.email)
    user.is_active = False
    user.save()
    response = verify_code(api_client, user.email, code)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_otp"


def test_audit_rows_for_request_success_and_failure_never_hold_the_code(api_client, user, mailoutbox):
    code = fresh_code(api_client, mailoutbox, user.email)
    verify_code(api_client, user.email, wrong(code), REMOTE_ADDR="203.0.113.9")
    verify_code(api_client, user.email, code, REMOTE_ADDR="203.0.113.10")
    request_code(api_client, "nobody@example.com")
    rows = {row.action_type: row for row in AuditLog.objects.all()}
    assert rows[AuditAction.OTP_LOGIN].actor == user
    assert rows[AuditAction.OTP_LOGIN].ip_address == "203.0.113.10"
    assert rows[AuditAction.OTP_LOGIN_FAILED].ip_address == "203.0.113.9"
    assert AuditLog.objects.filter(action_type=AuditAction.OTP_REQUESTED).count() == 2
    for row in AuditLog.objects.all():
        assert code not in f"{row.description} {row.metadata} {row.object_id}"


def test_request_stays_within_six_queries(user, django_assert_max_num_queries):
    client = APIClient()  # without running on-commit delivery, which a worker does
    with django_assert_max_num_queries(6):
        assert request_code(client, user.email).status_code == 200


def test_verify_stays_within_six_queries(api_client, user, mailoutbox, django_assert_max_num_queries):
    # account and newest code in one read, the consuming UPDATE, session, audit row, and the transaction
    # around the writes
    code = fresh_code(api_client, mailoutbox, user.email)
    with django_assert_max_num_queries(6):
        assert verify_code(api_client, user.email, code).status_code == 200
