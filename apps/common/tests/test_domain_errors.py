"""Services raise domain errors; the handler answers each exactly as the DRF error it replaced did (status,
body, Retry-After), in both the default shape and problem details."""

import pytest

pytestmark = [pytest.mark.urls("apps.common.tests.domain_error_urls")]

PROBLEM = "application/problem+json"


def _answer(client, url, accept):
    response = client.get(url, HTTP_ACCEPT=accept)
    return response.status_code, response.content, response.get("Retry-After"), response["Content-Type"]


@pytest.mark.parametrize("case", ["paused", "one-second", "field", "fields"])
@pytest.mark.parametrize("accept", ["application/json", PROBLEM])
def test_a_domain_error_answers_byte_for_byte_like_the_drf_error_it_replaced(api_client, case, accept):
    assert _answer(api_client, f"/domain/{case}/", accept) == _answer(api_client, f"/drf/{case}/", accept)


def test_rate_limited_is_a_429_with_retry_after_rounded_up(api_client):
    response = api_client.get("/domain/paused/")
    assert response.status_code == 429
    assert response["Retry-After"] == "3"
    assert response.json() == {
        "error": "Request was throttled. Expected available in 3 seconds.",
        "code": "throttled",
        "retry_after": 3,
    }


def test_invalid_input_is_the_field_error_shape_with_its_code(api_client):
    response = api_client.get("/domain/field/")
    assert response.status_code == 400
    assert response.json() == {"deadline": ["In the past."]}
    problem = api_client.get("/domain/field/", HTTP_ACCEPT=PROBLEM).json()
    assert problem["errors"] == [{"pointer": "#/deadline", "code": "deadline_past", "detail": "In the past."}]
