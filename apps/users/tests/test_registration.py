"""POST /api/v1/auth/register/ — the plan's test_registration.py, plus every rule of issue 4."""

from datetime import timedelta

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from apps.audit.models import AuditAction, AuditLog
from apps.emails.models import EmailOutbox
from apps.users.models import EmailVerification, User
from apps.users.tests.factories import UserFactory
from apps.users.tests.registration_support import (
    EXISTS_SUBJECT,
    PASSWORD,
    REGISTER,
    VERIFY_SUBJECT,
    register,
    registration,
    sent_to,
    verification_code,
    verification_link,
)

pytestmark = pytest.mark.django_db


def test_plan_url_names_resolve():
    assert reverse("register") == REGISTER
    assert reverse("verify-email") == "/api/v1/auth/verify-email/"
    assert reverse("resend-verification") == "/api/v1/auth/resend-verification/"


def test_registration_creates_an_inactive_unverified_user(api_client):
    response = register(api_client, "test@example.com", first_name="Test", last_name="User")
    assert response.status_code == 201
    user = User.objects.get(email="test@example.com")
    assert response.json() == {
        "message": "Registration successful. Please check your email to verify your account.",
        "email": "test@example.com",
        "user_id": user.id,
    }
    assert (user.is_active, user.email_verified) == (False, False)
    assert (user.first_name, user.last_name) == ("Test", "User")
    assert user.check_password(PASSWORD)
    assert EmailVerification.objects.filter(user=user).exists()


def test_verification_email_carries_the_frontend_link_and_a_code(api_client, mailoutbox, settings):
    settings.FRONTEND_URL = "https://app.kinwise.test"
    register(api_client, "ann@example.com", first_name="Ann")
    [message] = sent_to(mailoutbox, "ann@example.com")
    assert message.subject == VERIFY_SUBJECT
    assert verification_link(message.body).startswith("https://app.kinwise.test/verify-email?token=")
    assert len(verification_code(message.body)) == 6
    html = message.alternatives[0][0]
    assert verification_link(message.body) in html
    assert verification_code(message.body) in html
    assert "Welcome to KinWise, Ann!" in message.body


def test_the_token_and_code_are_stored_nowhere_in_plaintext(api_client, mailoutbox):
    register(api_client, "ann@example.com")
    body = mailoutbox[0].body
    token = verification_link(body).split("token=")[1]
    code = verification_code(body)
    stored = str(list(EmailVerification.objects.values())) + str(list(EmailOutbox.objects.values()))
    stored += str(list(AuditLog.objects.values()))
    assert token not in stored
    assert code not in stored


def test_nothing_is_emailed_before_the_registration_commits(api_client, mailoutbox):
    # api_client runs on-commit callbacks at the end of the request; a bare request must not have sent yet
    APIClient().post(REGISTER, registration("late@example.com"), format="json")
    assert mailoutbox == []
    assert EmailOutbox.objects.get(to="late@example.com").status == "pending"


@pytest.mark.parametrize("given", ["Test@EXAMPLE.com ", "  TEST@example.COM", "test@example.com"])
def test_email_is_trimmed_and_lowercased(api_client, given):
    response = register(api_client, given)
    assert response.status_code == 201
    assert response.json()["email"] == "test@example.com"
    assert User.objects.get().email == "test@example.com"


def test_differently_cased_address_is_the_same_account(api_client):
    assert register(api_client, "Test@EXAMPLE.com ").status_code == 201
    response = register(api_client, "test@example.com")
    assert response.status_code == 400
    assert response.json() == {"email": ["A user with this email already exists."]}
    assert User.objects.count() == 1


def test_duplicate_email_is_a_field_error_and_changes_nothing(api_client, mailoutbox):
    existing = UserFactory(email="test@example.com", password="pass")
    response = register(api_client, "test@example.com")
    assert response.status_code == 400
    assert "email" in response.json()
    assert User.objects.count() == 1
    assert not EmailVerification.objects.exists()
    assert mailoutbox == []
    existing.refresh_from_db()
    assert existing.check_password("pass")


def test_duplicate_attempt_is_audited_with_the_client_ip(api_client):
    existing = UserFactory(email="test@example.com")
    register(api_client, "test@example.com", REMOTE_ADDR="203.0.113.9")
    row = AuditLog.objects.get(action_type=AuditAction.REGISTRATION_DUPLICATE)
    assert (row.actor, row.ip_address) == (existing, "203.0.113.9")


def test_with_enumeration_prevention_a_duplicate_looks_like_a_new_registration(
    api_client, mailoutbox, settings
):
    settings.ACCOUNT_PREVENT_ENUMERATION = True
    UserFactory(email="taken@example.com", first_name="Owner")
    new = register(api_client, "free@example.com")
    duplicate = register(api_client, "Taken@example.com")
    assert (new.status_code, duplicate.status_code) == (201, 201)
    assert set(new.json()) == set(duplicate.json()) == {"message", "email", "user_id"}
    assert new.json()["message"] == duplicate.json()["message"]
    assert new.json()["user_id"] is None
    assert duplicate.json()["user_id"] is None
    assert duplicate.json()["email"] == "taken@example.com"
    assert User.objects.count() == 2
    [notice] = sent_to(mailoutbox, "taken@example.com")
    assert notice.subject == EXISTS_SUBJECT
    assert "Hi Owner" in notice.body
    assert "/login" in notice.body
    assert "token=" not in notice.body
    assert sent_to(mailoutbox, "free@example.com", VERIFY_SUBJECT)


def test_enumeration_prevention_sends_at_most_one_notice_an_hour(api_client, mailoutbox, settings):
    settings.ACCOUNT_PREVENT_ENUMERATION = True
    UserFactory(email="taken@example.com")
    for i in range(3):
        assert register(api_client, "taken@example.com", REMOTE_ADDR=f"198.51.100.{i}").status_code == 201
    assert len(sent_to(mailoutbox, "taken@example.com", EXISTS_SUBJECT)) == 1


def test_enumeration_notice_goes_out_again_the_next_hour(api_client, mailoutbox, settings, clock):
    settings.ACCOUNT_PREVENT_ENUMERATION = True
    UserFactory(email="taken@example.com")
    register(api_client, "taken@example.com")
    clock.advance(timedelta(hours=1))
    register(api_client, "taken@example.com")
    assert len(sent_to(mailoutbox, "taken@example.com", EXISTS_SUBJECT)) == 2


def test_weak_password_lists_every_failing_rule(api_client):
    response = register(api_client, password="weak")
    assert response.status_code == 400
    messages = response.json()["password"]
    assert "This password is too short. It must contain at least 8 characters." in messages
    assert "Password must contain at least one uppercase letter." in messages
    assert "Password must contain at least one digit." in messages
    assert "Password must contain at least one lowercase letter." not in messages
    assert not User.objects.exists()


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("password", "This password is too common."),
        ("12345678901", "This password is entirely numeric."),
        ("alllowercase1", "Password must contain at least one uppercase letter."),
        ("ALLUPPERCASE1", "Password must contain at least one lowercase letter."),
        ("NoDigitsHere", "Password must contain at least one digit."),
    ],
)
def test_each_password_rule_is_enforced(api_client, password, message):
    response = register(api_client, password=password)
    assert response.status_code == 400
    assert message in response.json()["password"]


def test_password_similar_to_the_email_is_refused(api_client):
    response = register(api_client, "margaretthatcher@example.com", password="Margaretthatcher1")
    assert response.status_code == 400
    assert "The password is too similar to the email." in response.json()["password"]


def test_password_mismatch_is_an_error_on_password_confirm(api_client):
    data = registration() | {"password_confirm": "DifferentPass123!"}
    response = api_client.post(REGISTER, data, format="json")
    assert response.status_code == 400
    assert response.json() == {"password_confirm": ["Passwords do not match."]}
    assert not User.objects.exists()


def test_mismatch_and_weak_password_are_reported_together(api_client):
    data = registration(password="weak") | {"password_confirm": "weaker"}
    response = api_client.post(REGISTER, data, format="json")
    assert set(response.json()) == {"password", "password_confirm"}


@pytest.mark.parametrize("email", ["not-an-email", "a@", "@example.com", "a b@example.com", ""])
def test_invalid_email_is_a_field_error(api_client, email):
    response = register(api_client, email)
    assert response.status_code == 400
    assert set(response.json()) == {"email"}


def test_missing_fields_are_listed(api_client):
    response = api_client.post(REGISTER, {}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"email", "password", "password_confirm"}


def test_names_are_optional(api_client):
    response = api_client.post(
        REGISTER,
        {"email": "a@example.com", "password": PASSWORD, "password_confirm": PASSWORD},
        format="json",
    )
    assert response.status_code == 201
    assert User.objects.get().first_name == ""


@pytest.mark.parametrize(
    "body",
    [[], "text", {"email": ["a@example.com"], "password": PASSWORD, "password_confirm": PASSWORD}],
)
def test_malformed_bodies_are_400_not_500(api_client, body):
    response = api_client.post(REGISTER, body, format="json")
    assert response.status_code == 400


def test_overlong_values_are_refused(api_client):
    response = register(api_client, "a" * 250 + "@example.com", first_name="x" * 151)
    assert response.status_code == 400
    assert set(response.json()) == {"email", "first_name"}


def test_registration_is_audited_with_the_client_ip(api_client):
    register(api_client, "ann@example.com", REMOTE_ADDR="203.0.113.5")
    user = User.objects.get()
    row = AuditLog.objects.get(action_type=AuditAction.CREATE)
    assert (row.actor, row.ip_address, row.object_type, row.object_id) == (
        user,
        "203.0.113.5",
        "User",
        str(user.id),
    )


def test_unverified_user_cannot_log_in_yet(api_client):
    register(api_client, "ann@example.com")
    response = api_client.post(
        "/api/v1/auth/login/", {"email": "ann@example.com", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 401


def test_registration_stays_within_its_query_budget(django_assert_max_num_queries):
    # a plain client: the email's delivery (run on commit, by a worker in production) is not the request's
    with django_assert_max_num_queries(8):
        response = register(APIClient(), "budget@example.com")
    assert response.status_code == 201
    assert EmailOutbox.objects.filter(to="budget@example.com").exists()
    assert AuditLog.objects.filter(action_type=AuditAction.CREATE).exists()


def test_fourth_registration_in_an_hour_from_one_ip_is_429(api_client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "register_ip": "3/h"}
    codes = [register(api_client, f"u{i}@example.com").status_code for i in range(4)]
    assert codes == [201, 201, 201, 429]
    response = register(api_client, "u9@example.com")
    assert 3000 < int(response["Retry-After"]) <= 3600
    assert "error" in response.json()
    assert User.objects.count() == 3


def test_failed_registrations_count_towards_the_limit(api_client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "register_ip": "3/h"}
    codes = [register(api_client, "bad").status_code for _ in range(3)]
    assert codes == [400, 400, 400]
    assert register(api_client, "good@example.com").status_code == 429


def test_limit_is_per_client_behind_a_trusted_proxy(api_client, settings):
    settings.NUM_TRUSTED_PROXIES = 1
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "register_ip": "3/h"}

    def via_proxy(i, client_addr):
        return register(
            api_client,
            f"u{i}@example.com",
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR=f"6.6.6.{i}, {client_addr}",
        ).status_code

    assert [via_proxy(i, "192.0.2.10") for i in range(4)] == [201, 201, 201, 429]
    assert via_proxy(8, "192.0.2.11") == 201
