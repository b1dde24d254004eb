"""Production log lines: JSON, one per request with its id, user, status and duration; task id and name in
tasks; and never a password, token or code, whatever the auth flows do."""

import io
import json
import logging
from logging.config import dictConfig

import pytest
from django.conf import settings
from django.db import transaction

from apps.emails.services import email_send
from config.settings.base import logging_config

pytestmark = pytest.mark.django_db


@pytest.fixture
def json_log():
    """The production logging config at DEBUG, into a buffer. Yields a function returning the lines."""
    dictConfig(logging_config("json", "DEBUG"))
    buffer = io.StringIO()
    logging.getLogger().handlers[0].setStream(buffer)

    def lines() -> list[dict]:
        return [json.loads(line) for line in buffer.getvalue().splitlines()]

    lines.text = buffer.getvalue
    yield lines
    dictConfig(settings.LOGGING)


def request_lines(lines: list[dict]) -> list[dict]:
    return [line for line in lines if line["logger"] == "kinwise.request"]


def test_each_request_is_one_json_line_with_id_user_status_and_duration(auth_client, user, json_log):
    response = auth_client.get("/api/v1/auth/me/", HTTP_X_REQUEST_ID="lb-1234-abcd")
    assert response["X-Request-ID"] == "lb-1234-abcd"
    [line] = request_lines(json_log())
    assert line["request_id"] == "lb-1234-abcd"
    assert line["method"] == "GET"
    assert line["path"] == "/api/v1/auth/me/"
    assert line["status"] == 200
    assert line["user_id"] == user.id
    assert isinstance(line["duration_ms"], float)
    assert line["level"] == "INFO"
    assert "time" in line


def test_a_request_without_an_id_gets_one_and_junk_ids_are_replaced(api_client, json_log):
    first = api_client.get("/api/v1/auth/me/")
    second = api_client.get("/api/v1/auth/me/", HTTP_X_REQUEST_ID="<script>alert(1)</script>")
    generated = [first["X-Request-ID"], second["X-Request-ID"]]
    assert all(len(value) == 32 for value in generated) and generated[0] != generated[1]
    lines = request_lines(json_log())
    assert [line["request_id"] for line in lines] == generated
    assert [line["user_id"] for line in lines] == [None, None]
    assert "<script>" not in json_log.text()


def test_every_line_of_a_request_carries_its_id(api_client, json_log):
    api_client.get("/api/v1/auth/me/", HTTP_X_REQUEST_ID="trace-0001")
    lines = [line for line in json_log() if line["logger"] in {"kinwise.request", "django.request"}]
    assert {line["logger"] for line in lines} == {"kinwise.request", "django.request"}
    assert {line["request_id"] for line in lines} == {"trace-0001"}


def test_task_log_lines_carry_the_task_id_and_name(json_log, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        email_send(to="ann@example.com", template="welcome", context={"name": "Ann"})
    [sent] = [line for line in json_log() if line["message"].startswith("Email ")]
    assert sent["task_name"] == "apps.emails.tasks.deliver_email"
    assert len(sent["task_id"]) == 36


def test_password_login_refresh_and_logout_log_no_secret(api_client, user, password, json_log):
    secrets = [password]
    api_client.post(
        "/api/v1/auth/login/", {"email": user.email, "password": "Wrong-" + password}, format="json"
    )
    secrets.append("Wrong-" + password)
    tokens = api_client.post(
        "/api/v1/auth/login/", {"email": user.email, "password": password}, format="json"
    ).data
    refreshed = api_client.post(
        "/api/v1/auth/token/refresh/", {"refresh": tokens["refresh"]}, format="json"
    ).data
    reuse = api_client.post("/api/v1/auth/token/refresh/", {"refresh": tokens["refresh"]}, format="json")
    assert reuse.status_code == 401
    # a token in a query string of a failing request (django.request logs those, with the request)
    assert api_client.get(f"/api/v1/auth/me/?token={refreshed['refresh']}").status_code == 401
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {refreshed['access']}")
    assert api_client.get(f"/api/v1/auth/me/?token={refreshed['access']}").status_code == 200
    api_client.post("/api/v1/auth/logout/", {"refresh": refreshed["refresh"]}, format="json")
    for pair in (tokens, refreshed):
        secrets += [pair["access"], pair["refresh"]]
        secrets += [part for token in (pair["access"], pair["refresh"]) for part in token.split(".")[1:]]

    assert len(request_lines(json_log())) == 7
    text = json_log.text()
    leaked = [secret for secret in secrets if secret in text]
    assert leaked == []
