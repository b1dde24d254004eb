"""GET/POST /api/v1/auth/verify-email/ — by the link's token, or by email + the 6-digit code."""

from datetime import timedelta

import pytest
from rest_framework.test import APIClient

from apps.audit.models import AuditAction, AuditLog
from apps.users.models import User
from apps.users.tests.factories import UserFactory
from apps.users.tests.registration_support import (
    PASSWORD,
    VERIFY,
    VERIFY_SUBJECT,
    WELCOME_SUBJECT,
    link_token,
    register,
    sent_to,
    verification_code,
)

pytestmark = pytest.mark.django_db
EMAIL = "newuser@example.com"


@pytest.fixture
def email_body(api_client, mailoutbox):
    """Register EMAIL over HTTP and return the text of the verification email it received."""
    assert register(api_client, EMAIL, first_name="Ann").status_code == 201
    [message] = sent_to(mailoutbox, EMAIL, VERIFY_SUBJECT)
    return message.body


def user_state(email=EMAIL):
    user = User.objects.get(email=email)
    return user.is_active, user.email_verified


def by_code(client, code, email=EMAIL, **extra):
    return client.post(VERIFY, {"email": email, "code": code}, format="json", **extra)


def assert_refused(response, code):
    assert response.status_code == 400, response.content
    body = response.json()
    assert set(body) == {"error", "code"}
    assert body["code"] == code
    return body


def test_link_token_verifies_and_activates(api_client, email_body, mailoutbox):
    response = api_client.get(VERIFY, {"token": link_token(email_body)})
    assert response.status_code == 200
    assert response.json() == {
        "message": "Email verified successfully",
        "user": {"email": EMAIL, "is_active": True},
    }
    assert user_state() == (True, True)
    [welcome] = sent_to(mailoutbox, EMAIL, WELCOME_SUBJECT)
    assert "Welcome to KinWise, Ann!" in welcome.body


def test_token_can_be_posted_instead(api_client, email_body):
    response = api_client.post(VERIFY, {"token": link_token(email_body)}, format="json")
    assert response.status_code == 200
    assert response.json()["message"] == "Email verified successfully"
    assert user_state() == (True, True)


def test_code_verifies_like_the_link(api_client, email_body, mailoutbox):
    response = by_code(api_client, verification_code(email_body), email=" NewUser@Example.com ")
    assert response.status_code == 200
    assert response.json() == {
        "message": "Email verified successfully",
        "user": {"email": EMAIL, "is_active": True},
    }
    assert user_state() == (True, True)
    assert len(sent_to(mailoutbox, EMAIL, WELCOME_SUBJECT)) == 1


def test_verified_user_can_log_in(api_client, email_body):
    api_client.get(VERIFY, {"token": link_token(email_body)})
    response = api_client.post("/api/v1/auth/login/", {"email": EMAIL, "password": PASSWORD}, format="json")
    assert response.status_code == 200
    assert response.json()["user"]["email"] == EMAIL


def test_reused_token_changes_nothing_and_says_already_verified(api_client, email_body, mailoutbox):
    token = link_token(email_body)
    assert api_client.get(VERIFY, {"token": token}).status_code == 200
    again = api_client.get(VERIFY, {"token": token})
    assert again.status_code == 200
    assert again.json() == {"message": "Email already verified"}
    assert len(sent_to(mailoutbox, EMAIL, WELCOME_SUBJECT)) == 1
    assert AuditLog.objects.filter(action_type=AuditAction.EMAIL_VERIFIED).count() == 1


def test_code_after_the_link_says_already_verified(api_client, email_body):
    api_client.get(VERIFY, {"token": link_token(email_body)})
    response = by_code(api_client, verification_code(email_body))
    assert response.status_code == 200
    assert response.json() == {"message": "Email already verified"}


def test_reused_link_does_not_reactivate_a_deactivated_user(api_client, email_body):
    token = link_token(email_body)
    api_client.get(VERIFY, {"token": token})
    User.objects.filter(email=EMAIL).update(is_active=False)
    assert api_client.get(VERIFY, {"token": token}).json() == {"message": "Email already verified"}
    assert user_state() == (False, True)


def test_link_works_until_24_hours_after_registration(api_client, email_body, clock):
    clock.advance(timedelta(hours=23, minutes=59))
    assert api_client.get(VERIFY, {"token": link_token(email_body)}).status_code == 200


def test_expired_link_is_refused_and_changes_nothing(api_client, email_body, clock, mailoutbox):
    clock.advance(timedelta(hours=24, seconds=1))
    body = assert_refused(api_client.get(VERIFY, {"token": link_token(email_body)}), "expired")
    assert "expired" in body["error"].lower()
    assert user_state() == (False, False)
    assert sent_to(mailoutbox, EMAIL, WELCOME_SUBJECT) == []


def test_expired_code_is_refused(api_client, email_body, clock):
    clock.advance(timedelta(hours=25))
    body = assert_refused(by_code(api_client, verification_code(email_body)), "expired")
    assert "expired" in body["error"].lower()
    assert user_state() == (False, False)


@pytest.mark.parametrize(
    "token",
    [
        "not-a-uuid",
        "123e4567-e89b-12d3-a456-426614174000",
        "x" * 10_240,
        "ünïcödé-tökén-ünïcödé-tökén",
        "😀" * 40,
        "A" * 43 + "\x00",
        "../../../etc/passwd",
        "' OR 1=1 --",
        "a" * 19,
        "a" * 129,
    ],
    ids=["non-uuid", "uuid", "10kB", "unicode", "emoji", "nul", "path", "sql", "short", "long"],
)
def test_unknown_or_malformed_tokens_are_400_and_change_nothing(api_client, email_body, token):
    assert_refused(api_client.get(VERIFY, {"token": token}), "invalid_token")
    assert_refused(api_client.post(VERIFY, {"token": token}, format="json"), "invalid_token")
    assert user_state() == (False, False)


def test_a_token_one_character_off_is_refused(api_client, email_body):
    token = link_token(email_body)
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert_refused(api_client.get(VERIFY, {"token": tampered}), "invalid_token")


@pytest.mark.parametrize("token", [123, None, [], {}, True, ["a" * 43]])
def test_non_string_tokens_are_400(api_client, token):
    response = api_client.post(VERIFY, {"token": token}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"error", "code"}


def test_missing_token_is_400(api_client):
    body = assert_refused(api_client.get(VERIFY), "token_required")
    assert body["error"] == "Verification token is required."
    assert_refused(api_client.get(VERIFY, {"token": ""}), "token_required")
    assert_refused(api_client.post(VERIFY, {}, format="json"), "token_required")
    assert_refused(api_client.post(VERIFY, [], format="json"), "token_required")


def test_wrong_code_and_unknown_email_get_the_same_answer(api_client, email_body):
    right = verification_code(email_body)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    responses = [
        by_code(api_client, wrong),
        by_code(api_client, right, email="nobody@example.com"),
        by_code(api_client, "12345"),
        by_code(api_client, "abcdef"),
        api_client.post(VERIFY, {"email": EMAIL}, format="json"),
        api_client.post(VERIFY, {"code": right}, format="json"),
    ]
    for response in responses:
        assert_refused(response, "invalid_code")
    assert len({str(r.json()) for r in responses}) == 1
    assert user_state() == (False, False)


def test_code_of_a_verified_account_is_not_told_apart_from_a_wrong_one(api_client):
    UserFactory(email="verified@example.com")
    assert_refused(by_code(api_client, "123456", email="verified@example.com"), "invalid_code")


def test_code_dies_after_five_wrong_tries_even_if_the_sixth_is_right(api_client, email_body):
    right = verification_code(email_body)
    wrong = [f"{(int(right) + i) % 1_000_000:06d}" for i in range(1, 6)]
    codes = [by_code(api_client, code).json()["code"] for code in wrong]
    assert codes == ["invalid_code"] * 4 + ["too_many_attempts"]
    assert_refused(by_code(api_client, right), "too_many_attempts")
    assert user_state() == (False, False)


def test_the_link_still_works_after_the_code_is_locked(api_client, email_body):
    right = verification_code(email_body)
    for i in range(1, 6):
        by_code(api_client, f"{(int(right) + i) % 1_000_000:06d}")
    assert api_client.get(VERIFY, {"token": link_token(email_body)}).status_code == 200


def test_verification_and_failures_are_audited_with_the_client_ip(api_client, email_body):
    api_client.get(VERIFY, {"token": "x" * 43}, REMOTE_ADDR="198.51.100.1")
    by_code(
        api_client,
        "000000" if verification_code(email_body) != "000000" else "111111",
        REMOTE_ADDR="198.51.100.2",
    )
    api_client.get(VERIFY, {"token": link_token(email_body)}, REMOTE_ADDR="198.51.100.3")
    user = User.objects.get(email=EMAIL)
    failed = AuditLog.objects.filter(action_type=AuditAction.EMAIL_VERIFICATION_FAILED).order_by("id")
    assert [(row.actor, row.ip_address, row.metadata["reason"]) for row in failed] == [
        (None, "198.51.100.1", "invalid_token"),
        (user, "198.51.100.2", "invalid_code"),
    ]
    ok = AuditLog.objects.get(action_type=AuditAction.EMAIL_VERIFIED)
    assert (ok.actor, ok.ip_address) == (user, "198.51.100.3")
    secrets = [link_token(email_body), verification_code(email_body)]
    logged = str(list(AuditLog.objects.values()))
    assert not any(secret in logged for secret in secrets)


def test_link_verification_stays_within_its_query_budget(email_body, django_assert_max_num_queries):
    # a plain client: the welcome email's delivery runs after commit, in a worker, not in the request
    with django_assert_max_num_queries(8):
        response = APIClient().get(VERIFY, {"token": link_token(email_body)})
    assert response.status_code == 200


def test_code_verification_stays_within_its_query_budget(email_body, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        response = by_code(APIClient(), verification_code(email_body))
    assert response.status_code == 200


def test_code_guessing_is_rate_limited_per_email_across_addresses(api_client, email_body, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "verify_email_email": "3/h"}
    statuses = [by_code(api_client, "000000", REMOTE_ADDR=f"198.51.100.{i}").status_code for i in range(4)]
    assert statuses == [400, 400, 400, 429]


def test_verification_is_rate_limited_per_ip(api_client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "verify_email_ip": "2/10m"}
    statuses = [api_client.get(VERIFY, {"token": "x" * 43}).status_code for _ in range(3)]
    assert statuses == [400, 400, 429]
