"""One error model: clean auth errors with distinct codes, never two shapes in one body, problem details
on request."""

import time

import jwt
import pytest
from django.conf import settings
from rest_framework.test import APIClient

from apps.users.models import User

ME = "/api/v1/auth/me/"
LOGIN = "/api/v1/auth/login/"
REGISTER = "/api/v1/auth/register/"
PROBLEM = "application/problem+json"
pytestmark = pytest.mark.django_db


def _resigned(access: str, **claims) -> str:
    """The same access token with some claims changed, signed with the real key."""
    key = settings.SIMPLE_JWT["SIGNING_KEY"]
    payload = jwt.decode(access, key, algorithms=["HS256"], options={"verify_exp": False})
    return jwt.encode({**payload, **claims}, key, algorithm="HS256")


def _me(api_client, token: str):
    """A fresh client: auth_client's stored credentials would override the header."""
    return APIClient().get(ME, HTTP_AUTHORIZATION=f"Bearer {token}")


def test_an_expired_access_token_is_a_sentence_with_code_token_expired(api_client, auth_client):
    expired = _resigned(auth_client.tokens["access"], exp=int(time.time()) - 60)
    response = _me(api_client, expired)
    assert response.status_code == 401
    assert response.json() == {
        "error": "The access token has expired; refresh it and try again.",
        "code": "token_expired",
    }
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("token", ["garbage", "a.b.c", "eyJhbGciOiJIUzI1NiJ9.e30.xxxxxxxx"])
def test_a_malformed_access_token_is_token_invalid(api_client, token):
    response = _me(api_client, token)
    assert response.status_code == 401
    assert response.json() == {"error": "The access token is invalid.", "code": "token_invalid"}


def test_a_token_signed_with_another_key_is_token_invalid(api_client, auth_client):
    payload = jwt.decode(auth_client.tokens["access"], options={"verify_signature": False})
    forged = jwt.encode(payload, "not-the-key-" * 4, algorithm="HS256")
    assert _me(api_client, forged).json()["code"] == "token_invalid"


def test_an_inactive_account_is_account_inactive(api_client, auth_client, user):
    User.objects.filter(pk=user.pk).update(is_active=False)
    response = _me(api_client, auth_client.tokens["access"])
    assert response.status_code == 401
    assert response.json() == {"error": "This account is inactive.", "code": "account_inactive"}


def test_no_error_body_contains_a_python_repr(api_client):
    for token in ("garbage", "a.b.c"):
        body = _me(api_client, token).content.decode()
        assert "ErrorDetail" not in body
        assert "{'" not in body


def test_a_malformed_authorization_header_has_its_own_code(api_client):
    response = api_client.get(ME, HTTP_AUTHORIZATION="Bearer one two")
    assert response.status_code == 401
    assert response.json()["code"] == "bad_authorization_header"


def test_problem_details_for_a_request_level_error(api_client):
    response = api_client.get(ME, HTTP_ACCEPT=PROBLEM)
    assert response.status_code == 401
    assert response["Content-Type"] == PROBLEM
    assert response.json() == {
        "type": "about:blank",
        "title": "Unauthorized",
        "status": 401,
        "detail": "Authentication credentials were not provided.",
        "code": "not_authenticated",
    }


def test_problem_details_for_field_errors_carry_pointers_and_codes(api_client):
    response = api_client.post(REGISTER, {"email": "not-an-email"}, format="json", HTTP_ACCEPT=PROBLEM)
    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert (body["status"], body["code"], body["title"]) == (400, "invalid", "Bad Request")
    assert {"pointer": "#/email", "code": "invalid", "detail": "Enter a valid email address."} in body[
        "errors"
    ]
    assert {"pointer": "#/password", "code": "required", "detail": "This field is required."} in body[
        "errors"
    ]


def test_problem_details_keep_retry_after_and_the_header(api_client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login_ip": "1/h"}
    api_client.post(LOGIN, {"email": "a@example.com", "password": "x"}, format="json")
    response = api_client.post(
        LOGIN, {"email": "a@example.com", "password": "x"}, format="json", HTTP_ACCEPT=PROBLEM
    )
    assert response.status_code == 429
    body = response.json()
    assert body["code"] == "throttled"
    assert body["status"] == 429
    assert body["retry_after"] == int(response["Retry-After"]) > 0


def test_problem_details_for_an_unknown_api_path(api_client):
    response = api_client.get("/api/v1/nope/", HTTP_ACCEPT=f"{PROBLEM}, application/json;q=0.5")
    assert response.status_code == 404
    assert response["Content-Type"] == PROBLEM
    assert response.json()["code"] == "not_found"


def test_the_default_shape_is_unchanged_without_the_accept_header(api_client):
    response = api_client.post(REGISTER, {"email": "not-an-email"}, format="json")
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "email": ["Enter a valid email address."],
        "password": ["This field is required."],
        "password_confirm": ["This field is required."],
    }


def test_success_bodies_stay_json_when_problem_details_are_accepted(api_client, user, password):
    response = api_client.post(
        LOGIN, {"email": user.email, "password": password}, format="json", HTTP_ACCEPT=PROBLEM
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
