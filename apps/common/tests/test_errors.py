import pytest

LOGIN = "/api/v1/auth/login/"
pytestmark = pytest.mark.django_db


def test_malformed_json_is_400(api_client):
    response = api_client.generic("POST", LOGIN, '{"email": ', content_type="application/json")
    assert response.status_code == 400
    assert "error" in response.json()


def test_unknown_content_type_is_415(api_client):
    response = api_client.generic("POST", LOGIN, "email=a", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415
    assert "error" in response.json()


def test_wrong_types_are_field_errors(api_client):
    response = api_client.post(LOGIN, {"email": ["a"], "password": {"x": 1}}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"email", "password"}


def test_json_array_body_is_400(api_client):
    response = api_client.post(LOGIN, [1, 2], format="json")
    assert response.status_code == 400


def test_oversized_body_is_413(api_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    body = '{"email": "%s", "password": "x"}' % ("a" * 5000)
    response = api_client.generic("POST", LOGIN, body, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"


def test_overlong_strings_are_400(api_client):
    response = api_client.post(LOGIN, {"email": "a" * 300 + "@x.com", "password": "p" * 500}, format="json")
    assert response.status_code == 400


def test_unknown_api_path_is_json_404(api_client):
    response = api_client.get("/api/v1/nope/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
