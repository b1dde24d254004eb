"""An HTTP email API through django-anymail (EMAIL_BACKEND), against a local stand-in for Postmark's API:
server trouble is retried, a request the API refuses for good fails at once, and anymail's other errors are
classified too."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from anymail.exceptions import AnymailAPIError, AnymailRecipientsRefused, AnymailRequestsAPIError

from apps.emails.models import EmailOutbox, EmailStatus
from apps.emails.services import email_send, is_transient


class FakePostmark:
    """Answers POST /email with the next scripted (status, body); 200 OK once the script is used up."""

    def __init__(self):
        self.script: list[tuple[int, dict]] = []
        self.received: list[dict] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                fake.received.append(
                    {"path": self.path, "token": self.headers["X-Postmark-Server-Token"], **body}
                )
                status, answer = fake.script.pop(0) if fake.script else (200, None)
                answer = answer or {"To": body["To"], "MessageID": "m-1", "ErrorCode": 0, "Message": "OK"}
                payload = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def postmark(settings):
    fake = FakePostmark()
    settings.EMAIL_BACKEND = "anymail.backends.postmark.EmailBackend"
    settings.ANYMAIL = {"POSTMARK_SERVER_TOKEN": "server-token", "POSTMARK_API_URL": fake.url}
    yield fake
    fake.server.shutdown()


@pytest.mark.django_db
def test_emails_go_out_through_the_http_api(postmark, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        row = email_send(to="ann@example.com", template="test")
    assert EmailOutbox.objects.get(id=row.id).status == EmailStatus.SENT
    [sent] = postmark.received
    assert (sent["path"], sent["token"], sent["To"]) == ("/email", "server-token", "ann@example.com")


@pytest.mark.django_db
def test_server_trouble_and_rate_limits_are_retried(postmark, django_capture_on_commit_callbacks):
    postmark.script = [
        (500, {"ErrorCode": 100, "Message": "Maintenance"}),
        (429, {"ErrorCode": 0, "Message": "Slow down"}),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        row = email_send(to="ann@example.com", template="test")
    row = EmailOutbox.objects.get(id=row.id)
    assert (row.status, row.attempts) == (EmailStatus.SENT, 3)


@pytest.mark.django_db
def test_a_request_the_api_refuses_for_good_fails_at_once(postmark, django_capture_on_commit_callbacks):
    postmark.script = [(422, {"ErrorCode": 300, "Message": "Invalid 'From' address"})]
    with django_capture_on_commit_callbacks(execute=True):
        row = email_send(to="ann@example.com", template="test")
    row = EmailOutbox.objects.get(id=row.id)
    assert (row.status, row.attempts) == (EmailStatus.FAILED, 1)
    assert "422" in row.last_error
    assert len(postmark.received) == 1


@pytest.mark.parametrize(
    ("error", "transient"),
    [
        (AnymailAPIError("server error", status_code=503), True),
        (AnymailAPIError("too many requests", status_code=429), True),
        (AnymailAPIError("bad api key", status_code=401), True),
        (AnymailAPIError("unprocessable", status_code=422), False),
        (AnymailAPIError("bad request", status_code=400), False),
        (AnymailRequestsAPIError("connection refused"), True),  # no answer at all: an OSError without status
        (AnymailRecipientsRefused("every recipient rejected"), False),
    ],
)
def test_anymail_errors_are_classified_transient_or_permanent(error, transient):
    assert is_transient(error) is transient
