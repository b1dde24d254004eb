"""Sentry: off without SENTRY_DSN; with it, a 500 reaches Sentry with no code, token, password or cookie."""

import io
import json
from wsgiref.util import setup_testing_defaults

import pytest
import sentry_sdk
from django.core.handlers.wsgi import WSGIHandler
from sentry_sdk.transport import Transport

from apps.common.sentry import sentry_init
from tests.production import production_env, run_production

SECRETS = {
    "password": "Hunter2-Secret-Password!",
    "code": "493817",
    "recovery_code": "abcde-fghjk",
    "mfa_token": "mfa-token-Zq8s1-secret",
    "refresh": "eyJhbGciOiJIUzI1NiJ9.refresh-secret.sig",
    "token": "verify-link-token-Xy71",
}
QUERY_TOKEN = "query-token-Kp02-secret"
COOKIE = "sessionid-cookie-value-secret"
BEARER = "eyJhbGciOiJIUzI1NiJ9.access-secret.sig"


class CapturingTransport(Transport):
    """Keeps every envelope in memory instead of sending it."""

    def __init__(self, options=None):
        super().__init__(options)
        self.envelopes = []

    def capture_envelope(self, envelope):
        self.envelopes.append(envelope)

    def events(self) -> list[dict]:
        return [item.payload.json for env in self.envelopes for item in env.items if item.type == "event"]


@pytest.fixture
def sentry_events():
    transport = CapturingTransport()
    sentry_init(dsn="https://public@sentry.invalid/1", environment="test", transport=transport)
    try:
        yield transport
    finally:
        sentry_sdk.init()  # no DSN: reporting off again


def wsgi_call(path: str, *, query: str, body: bytes, headers: dict[str, str]) -> tuple[str, bytes]:
    """One request through Django's WSGI handler, as gunicorn makes it (the test client skips that layer,
    where Sentry reads the URL, query string and headers)."""
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
        "HTTP_HOST": "testserver",
        **{f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items()},
    }
    setup_testing_defaults(environ)
    status = []
    chunks = WSGIHandler()(environ, lambda s, h, exc_info=None: status.append(s))  # type: ignore[arg-type]  # records the status only
    return status[0], b"".join(chunks)


@pytest.mark.django_db
@pytest.mark.urls("apps.common.tests.boom_urls")
def test_a_server_error_is_reported_without_any_secret_of_the_request(sentry_events):
    status, body = wsgi_call(
        "/boom/",
        query=f"token={QUERY_TOKEN}&code=112233",
        body=json.dumps(SECRETS).encode(),
        headers={
            "Authorization": f"Bearer {BEARER}",
            "Cookie": f"sessionid={COOKIE}; csrftoken=csrf-cookie-secret",
            "X-Request-ID": "sentry-trace-0001",
        },
    )
    assert status.startswith("500")
    assert json.loads(body)["code"] == "server_error"
    sentry_sdk.flush()

    [event] = sentry_events.events()  # one per error: the request log line's ERROR is not a second event
    assert event["exception"]["values"][-1]["type"] == "RuntimeError"
    assert event["request"]["url"].endswith("/boom/")
    assert event["request"]["method"] == "POST"
    assert event["environment"] == "test"
    text = json.dumps(event)
    secrets = [*SECRETS.values(), QUERY_TOKEN, "112233", COOKIE, BEARER, "csrf-cookie-secret"]
    assert [secret for secret in secrets if secret in text] == []


def test_sentry_is_on_only_when_sentry_dsn_is_set(tmp_path):
    probe = ["manage.py", "shell", "-c", "import sentry_sdk; print(sentry_sdk.get_client().is_active())"]
    off = run_production(probe, production_env(tmp_path))
    assert off.returncode == 0, off.stderr
    assert off.stdout.strip().endswith("False")
    on = run_production(probe, production_env(tmp_path, SENTRY_DSN="https://public@127.0.0.1:9/1"))
    assert on.returncode == 0, on.stderr
    assert on.stdout.strip().endswith("True")
