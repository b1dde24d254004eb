"""A browser on FRONTEND_URL can call the API, send X-Request-ID and read the headers it needs."""

import pytest

pytestmark = pytest.mark.django_db

LOGIN = "/api/v1/auth/login/"


def _exposed(response) -> set[str]:
    return {h.strip().lower() for h in response.get("Access-Control-Expose-Headers", "").split(",")}


def test_a_preflight_asking_to_send_x_request_id_is_allowed(api_client, settings):
    response = api_client.options(
        LOGIN,
        HTTP_ORIGIN=settings.FRONTEND_URL,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization, content-type, x-request-id",
    )
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == settings.FRONTEND_URL
    allowed = {h.strip().lower() for h in response["Access-Control-Allow-Headers"].split(",")}
    assert {"authorization", "content-type", "x-request-id"} <= allowed
    assert "POST" in response["Access-Control-Allow-Methods"]


def test_a_cross_origin_response_exposes_retry_after_request_id_and_content_disposition(api_client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login_ip": "1/h"}
    body = {"email": "a@example.com", "password": "x"}
    api_client.post(LOGIN, body, format="json", HTTP_ORIGIN=settings.FRONTEND_URL)
    response = api_client.post(
        LOGIN, body, format="json", HTTP_ORIGIN=settings.FRONTEND_URL, HTTP_X_REQUEST_ID="req-12345678"
    )
    assert response.status_code == 429
    assert response["Access-Control-Allow-Origin"] == settings.FRONTEND_URL
    assert {"retry-after", "x-request-id", "content-disposition", "location"} <= _exposed(response)
    assert response["X-Request-ID"] == "req-12345678"
    assert int(response["Retry-After"]) > 0


def test_another_origin_gets_no_cors_headers(api_client):
    response = api_client.options(
        LOGIN, HTTP_ORIGIN="https://evil.example", HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST"
    )
    assert "Access-Control-Allow-Origin" not in response
