"""Queries per request for the auth flows, counted in this process against the benchmark's database.

Requests go through Django's test client (the full middleware stack and URLconf of the benchmark settings);
emails go through the running worker to the SMTP sink, and codes are read from there. Each flow runs twice
with fresh accounts and the second run is reported, so one-time work (first connection, caches) is not
counted.
"""

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench.mailbox import LOGIN_CODE_RE, VERIFY_CODE_RE, Mailbox

PASSWORD = "Bench-Pass-2024x"  # noqa: S105 — a benchmark account's password

REGISTER = "/api/v1/auth/register/"
VERIFY_EMAIL = "/api/v1/auth/verify-email/"
OTP_REQUEST = "/api/v1/auth/otp/request/"
OTP_VERIFY = "/api/v1/auth/otp/verify/"
LOGIN = "/api/v1/auth/login/"
REFRESH = "/api/v1/auth/token/refresh/"


def _post(client: Client, path: str, body: dict, expect: int) -> tuple[dict, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.post(path, body, content_type="application/json", secure=True)
    if response.status_code != expect:
        raise RuntimeError(f"POST {path} answered {response.status_code}: {response.content[:300]!r}")
    return response.json(), len(queries.captured_queries)


def flow_query_counts(mailbox: Mailbox, email: str) -> dict[str, int]:
    client = Client()
    counts = {}
    _, counts["register"] = _post(
        client, REGISTER, {"email": email, "password": PASSWORD, "password_confirm": PASSWORD}, 201
    )
    code = mailbox.latest_code(email, VERIFY_CODE_RE)
    _, counts["verify_email"] = _post(client, VERIFY_EMAIL, {"email": email, "code": code}, 200)
    _, counts["otp_request"] = _post(client, OTP_REQUEST, {"email": email}, 200)
    code = mailbox.latest_code(email, LOGIN_CODE_RE)
    _, counts["otp_verify"] = _post(client, OTP_VERIFY, {"email": email, "code": code}, 200)
    tokens, counts["login"] = _post(client, LOGIN, {"email": email, "password": PASSWORD}, 200)
    _, counts["refresh"] = _post(client, REFRESH, {"refresh": tokens["refresh"]}, 200)
    return counts


def query_counts(mailbox: Mailbox) -> dict[str, int]:
    flow_query_counts(mailbox, "queries-warmup@bench.example.com")
    return flow_query_counts(mailbox, "queries@bench.example.com")
