"""Production log lines: JSON, one per request with its id, user, status and duration; task id and name in
tasks; and never a password, token or code, whatever the auth flows do."""

import io
import json
import logging
import re
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


def leaked(lines: list[dict], secrets: list[str]) -> list[str]:
    """Secrets found in any field but the timestamp (whose microseconds could match a 6-digit code)."""
    text = "\n".join(json.dumps({k: v for k, v in line.items() if k != "time"}) for line in lines)
    return [s for s in secrets if re.search(rf"(?<![0-9]){re.escape(s)}(?![0-9])", text)]


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
    assert all(len(value) == 32 for value in generated)
    assert generated[0] != generated[1]
    lines = request_lines(json_log())
    assert [line["request_id"] for line in lines] == generated
    assert [line["user_id"] for line in lines] == [None, None]
    assert "<script>" not in json_log.text()


@pytest.mark.django_db(transaction=True)
def test_every_line_of_a_request_carries_its_id(json_log):
    """Registration commits, then sends its email inline here (eager tasks): the delivery's line is written
    during the request, by the task, and carries the request's id."""
    from rest_framework.test import APIClient

    from apps.users.tests.registration_support import register

    register(APIClient(), "traced@example.com", HTTP_X_REQUEST_ID="trace-0001")
    lines = [line for line in json_log() if line["logger"] in {"kinwise.request", "apps.emails.services"}]
    assert {line["logger"] for line in lines} == {"kinwise.request", "apps.emails.services"}
    assert {line["request_id"] for line in lines} == {"trace-0001"}


def test_each_4xx_is_logged_once(api_client, json_log):
    assert api_client.get("/api/v1/auth/me/", HTTP_X_REQUEST_ID="trace-0002").status_code == 401
    assert api_client.get("/api/v1/no-such-thing/", HTTP_X_REQUEST_ID="trace-0003").status_code == 404
    lines = [line for line in json_log() if line.get("request_id") in {"trace-0002", "trace-0003"}]
    assert [(line["logger"], line["status"]) for line in lines] == [
        ("kinwise.request", 401),
        ("kinwise.request", 404),
    ]


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
    # the reuse above revoked the session, so its newest access token is refused too (issue 13)
    assert api_client.get(f"/api/v1/auth/me/?token={refreshed['access']}").status_code == 401
    api_client.post("/api/v1/auth/logout/", {"refresh": refreshed["refresh"]}, format="json")
    for pair in (tokens, refreshed):
        secrets += [pair["access"], pair["refresh"]]
        secrets += [part for token in (pair["access"], pair["refresh"]) for part in token.split(".")[1:]]

    assert len(request_lines(json_log())) == 7
    assert leaked(json_log(), secrets) == []


def test_registration_verification_and_otp_login_log_no_secret(api_client, mailoutbox, json_log):
    """Flows that mail a token or a code: each secret is read from the email, then searched in the logs."""
    from apps.users.tests.otp_helpers import CODE_RE
    from apps.users.tests.registration_support import (
        PASSWORD,
        link_token,
        register,
        verification_code,
        verification_link,
    )

    email = "logscan@example.com"
    assert register(api_client, email).status_code == 201
    first = mailoutbox[-1].body
    secrets = [PASSWORD, link_token(first), verification_link(first), verification_code(first)]
    # a wrong code and a malformed token leave 400s (logged by django.request with the request) behind
    wrong_code = "000000" if secrets[3] != "000000" else "111111"
    api_client.post("/api/v1/auth/verify-email/", {"email": email, "code": wrong_code}, format="json")
    api_client.get("/api/v1/auth/verify-email/", {"token": secrets[1] + "x"})
    secrets.append(secrets[1] + "x")
    api_client.post("/api/v1/auth/resend-verification/", {"email": email}, format="json")
    latest = mailoutbox[-1].body
    secrets += [link_token(latest), verification_code(latest)]
    assert api_client.get("/api/v1/auth/verify-email/", {"token": link_token(latest)}).status_code == 200

    assert api_client.post("/api/v1/auth/otp/request/", {"email": email}, format="json").status_code == 200
    code = CODE_RE.search(mailoutbox[-1].body).group(1)
    api_client.post("/api/v1/auth/otp/verify/", {"email": email, "code": wrong_code}, format="json")
    tokens = api_client.post("/api/v1/auth/otp/verify/", {"email": email, "code": code}, format="json").data
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    assert api_client.get("/api/v1/auth/me/").status_code == 200
    secrets += [code, tokens["access"], tokens["refresh"]]

    statuses = [line["status"] for line in request_lines(json_log())]
    assert statuses == [201, 400, 400, 200, 200, 200, 400, 200, 200]
    assert leaked(json_log(), secrets) == []


def test_password_reset_and_change_log_no_secret(api_client, user, password, mailoutbox, json_log):
    new_password, newer_password = "Another-Pass-456", "Third-Pass-789x"
    assert (
        api_client.post("/api/v1/auth/password/reset/", {"email": user.email}, format="json").status_code
        == 200
    )
    body = mailoutbox[-1].body
    link = re.search(r"(https?://\S+/reset-password\?token=(\S+))", body)
    code = re.search(r"enter this code in the app instead: (\d{6})", body, flags=re.IGNORECASE).group(1)
    token = link.group(2)
    confirm = "/api/v1/auth/password/reset/confirm/"
    bad = {"token": token + "x", "new_password": new_password, "new_password_confirm": new_password}
    assert api_client.post(confirm, bad, format="json").status_code == 400
    good = {**bad, "token": token}
    assert api_client.post(confirm, good, format="json").status_code == 200
    tokens = api_client.post(
        "/api/v1/auth/login/", {"email": user.email, "password": new_password}, format="json"
    ).data
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    change = {
        "current_password": new_password,
        "new_password": newer_password,
        "new_password_confirm": newer_password,
    }
    assert api_client.post("/api/v1/auth/password/change/", change, format="json").status_code == 200

    secrets = [password, new_password, newer_password, token, token + "x", link.group(1), code]
    secrets += [tokens["access"], tokens["refresh"]]
    assert [line["status"] for line in request_lines(json_log())] == [200, 400, 200, 200, 200]
    assert leaked(json_log(), secrets) == []


@pytest.mark.requires_services
def test_a_task_logs_with_the_id_of_the_request_that_queued_it(celery_worker, smtp_server, json_log):
    """The id travels in the task message's headers to a real worker, and is stamped on the task's lines."""
    from rest_framework.test import APIClient

    from apps.users.tests.registration_support import register

    assert register(APIClient(), "queued@example.com", HTTP_X_REQUEST_ID="queued-by-0042").status_code == 201
    smtp_server.wait_for(1)
    from tests.support import wait_until

    sent = wait_until(
        lambda: [
            line for line in json_log() if line["message"].startswith("Email ") and "sent" in line["message"]
        ],
        message="the delivery's log line",
    )
    assert sent[0]["request_id"] == "queued-by-0042"
    assert sent[0]["task_name"] == "apps.emails.tasks.deliver_email"
