import pytest

from apps.audit.models import AuditAction, AuditLog
from apps.users.tests.factories import UserFactory

LOGIN = "/api/v1/auth/login/"
pytestmark = pytest.mark.django_db


def login(client, email, password, **extra):
    return client.post(LOGIN, {"email": email, "password": password}, format="json", **extra)


def test_login_returns_token_pair_and_user(api_client, user, password):
    response = login(api_client, user.email, password)
    assert response.status_code == 200
    assert set(response.data) == {"access", "refresh", "user"}
    assert response.data["user"] == {
        "id": user.id,
        "email": user.email,
        "first_name": "Test",
        "last_name": "User",
        "role": "member",
    }


def test_login_email_is_case_and_space_insensitive(api_client, user, password):
    response = login(api_client, f"  {user.email.upper()} ", password)
    assert response.status_code == 200


def test_access_token_opens_me(api_client, user, password):
    access = login(api_client, user.email, password).data["access"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    response = api_client.get("/api/v1/auth/me/")
    assert response.status_code == 200
    assert response.data["email"] == user.email


def test_every_login_failure_gets_the_same_401_body(api_client, password):
    UserFactory(email="right@example.com", password=password)
    UserFactory(email="inactive@example.com", password=password, is_active=False)
    UserFactory(email="unverified@example.com", password=password, email_verified=False)
    cases = [
        ("right@example.com", "WrongPass123!"),
        ("nobody@example.com", password),
        ("inactive@example.com", password),
        ("unverified@example.com", password),
    ]
    responses = [login(api_client, email, pw) for email, pw in cases]
    assert {r.status_code for r in responses} == {401}
    assert all(r.json() == responses[0].json() for r in responses)
    assert responses[0].json()["error"] == "Invalid email or password."


def test_login_ok_and_failed_are_audited_with_ip(api_client, user, password):
    login(api_client, user.email, password, REMOTE_ADDR="203.0.113.7")
    login(api_client, user.email, "WrongPass123!", REMOTE_ADDR="203.0.113.8")
    ok = AuditLog.objects.get(action_type=AuditAction.LOGIN)
    failed = AuditLog.objects.get(action_type=AuditAction.LOGIN_FAILED)
    assert (ok.actor, ok.ip_address) == (user, "203.0.113.7")
    assert (failed.actor, failed.ip_address) == (user, "203.0.113.8")
    assert "WrongPass123!" not in str(failed.metadata) + failed.description


def test_missing_fields_are_field_errors(api_client):
    response = api_client.post(LOGIN, {}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"email", "password"}


def test_login_stays_within_six_queries(api_client, user, password, django_assert_max_num_queries):
    # user, session, audit row, and the transaction around them
    with django_assert_max_num_queries(6):
        assert login(api_client, user.email, password).status_code == 200
