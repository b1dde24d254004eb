"""Bad input answers a clear 4xx JSON, never a 500 (and never an HTML page or a redirect)."""

import json

import pytest
from django.test import override_settings
from django.urls import clear_url_caches

LOGIN = "/api/v1/auth/login/"
VERIFY = "/api/v1/auth/verify-email/"
pytestmark = pytest.mark.django_db


def test_a_nul_in_the_email_of_a_code_verification_is_refused(api_client):
    response = api_client.post(VERIFY, {"email": "a\u0000b@example.com", "code": "123456"}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_code"


@pytest.mark.parametrize("depth", [40, 1000, 100_000])
@pytest.mark.parametrize("path", [LOGIN, VERIFY, "/api/v1/auth/register/", "/api/v1/auth/otp/request/"])
def test_deeply_nested_json_is_a_400_parse_error(api_client, path, depth):
    body = "[" * depth + "]" * depth
    response = api_client.generic("POST", path, body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_deep_nesting_inside_an_object_is_refused_too(api_client):
    body = '{"email": ' + '{"a": ' * 2000 + "1" + "}" * 2000 + "}"
    response = api_client.generic("POST", LOGIN, body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_an_authenticated_endpoint_refuses_deep_nesting_as_well(auth_client):
    body = json.dumps({"first_name": "x"})[:-1] + ', "last_name": ' + "[" * 5000 + "]" * 5000 + "}"
    response = auth_client.generic("PATCH", "/api/v1/auth/me/", body, content_type="application/json")
    assert response.status_code == 400


@pytest.mark.parametrize("debug", [False, True])
def test_a_post_without_the_trailing_slash_is_served_like_one_with_it(api_client, user, password, debug):
    with override_settings(DEBUG=debug):
        response = api_client.post(
            LOGIN.rstrip("/"), {"email": user.email, "password": password}, format="json"
        )
    assert response.status_code == 200
    assert "access" in response.json()


def test_every_method_without_the_slash_answers_the_same(auth_client):
    with_slash = auth_client.patch("/api/v1/auth/me/", {"first_name": "Ann"}, format="json")
    without = auth_client.patch("/api/v1/auth/me", {"first_name": "Ann"}, format="json")
    assert (without.status_code, without.json()) == (with_slash.status_code, with_slash.json())
    assert auth_client.get("/api/v1/auth/me").status_code == 200


def test_a_path_with_an_id_and_no_slash_is_served(auth_client):
    response = auth_client.get("/api/v1/households/999999")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize(
    "path", ["/api/v1/nope/", "/api/v1/nope", "/api/", "/api/v2/bills/", "/api/v1/bills/x/"]
)
def test_unknown_api_paths_are_a_json_404_whatever_debug_says(api_client, path, debug):
    with override_settings(DEBUG=debug):
        clear_url_caches()
        response = api_client.post(path, {"a": 1}, format="json")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"error": "Not found.", "code": "not_found"}
