"""The three requests that name an address do the same work whoever it belongs to (issue 13, item 7).

Structural: the SQL a request runs, with its literals normalised, and what it publishes to the real broker,
are the same for a verified account, an unverified one and an unknown address. What differs (the lookup,
the code, the email) happens in the worker, which these tests do not start: the messages wait in Redis.
"""

import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from apps.emails.models import EmailOutbox, EmailStatus
from apps.users.models import EmailOTP, EmailVerification, PasswordReset
from apps.users.tests.factories import UserFactory
from config.celery import app

pytestmark = pytest.mark.requires_services

ENDPOINTS = {
    "otp_request": "/api/v1/auth/otp/request/",
    "password_reset": "/api/v1/auth/password/reset/",
    "resend_verification": "/api/v1/auth/resend-verification/",
}
_STRING = re.compile(r"'(?:[^']|'')*'")
_NUMBER = re.compile(r"\b\d+(?:\.\d+)?\b")


def shape(sql: str) -> str:
    """A statement with every literal replaced by `?`: what the database is asked to do, not with what."""
    return _NUMBER.sub("?", _STRING.sub("?", sql))


def queued_messages() -> int:
    """Messages waiting in the broker's email queue (nothing consumes them in these tests)."""
    with app.connection_for_write() as conn:
        channel: Any = conn.default_channel  # kombu's Redis channel; typed as the generic StdChannel
        return int(channel.client.llen("emails"))


def addresses() -> dict[str, str]:
    UserFactory(email="verified@example.com")
    UserFactory(email="unverified@example.com", email_verified=False, is_active=False)
    return {
        "verified": "verified@example.com",
        "unverified": "unverified@example.com",
        "unknown": "nobody-at-all@example.org",
    }


def post(path: str, email: str, n: int):
    """One request from its own client address, its SQL and its publishes captured."""
    before = queued_messages()
    with CaptureQueriesContext(connection) as captured:
        response = APIClient().post(path, {"email": email}, format="json", REMOTE_ADDR=f"198.51.100.{n}")
    return response, [shape(q["sql"]) for q in captured.captured_queries], queued_messages() - before


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_a_request_runs_the_same_statements_and_publishes_for_every_kind_of_address(celery_broker, endpoint):
    seen = {}
    for n, (kind, email) in enumerate(addresses().items()):
        response, statements, published = post(ENDPOINTS[endpoint], email, n)
        assert response.status_code == 200, response.content
        seen[kind] = (response.content, statements, published)

    bodies = {body for body, _, _ in seen.values()}
    assert len(bodies) == 1
    shapes = {tuple(statements) for _, statements, _ in seen.values()}
    assert len(shapes) == 1, seen
    [statements] = shapes
    # validate, throttle (Redis), one INSERT of the request row, answer: one statement, one publish
    assert len(statements) == 1, statements
    assert statements[0].startswith('INSERT INTO "email_outbox"'), statements
    assert {published for _, _, published in seen.values()} == {1}


def test_the_request_row_holds_no_secret_and_tells_nothing_until_the_worker_runs(celery_broker):
    for n, email in enumerate(addresses().values()):
        post(ENDPOINTS["otp_request"], email, n)
    rows = list(EmailOutbox.objects.order_by("id"))
    assert len(rows) == 3
    for row in rows:
        assert (row.template, row.prepare, row.status) == ("login_otp", "otp_request", EmailStatus.PENDING)
        assert row.secret_context is None
        assert set(row.context) == {"ip", "user_agent"}
    # no code exists yet for anyone: the worker makes it
    assert not EmailOTP.objects.exists()


def test_password_reset_and_resend_write_no_secret_row_in_the_request(celery_broker):
    emails = addresses()
    for n, email in enumerate(emails.values()):
        post(ENDPOINTS["password_reset"], email, n)
        post(ENDPOINTS["resend_verification"], email, 10 + n)
    assert not PasswordReset.objects.exists()
    assert not EmailVerification.objects.exists()
    assert EmailOutbox.objects.filter(status=EmailStatus.PENDING).exclude(prepare="").count() == 6


@pytest.mark.django_db
def test_a_dropped_request_row_keeps_the_typed_address_only_as_long_as_sent_emails(
    api_client, clock, mailoutbox
):
    from datetime import timedelta

    from apps.emails.tasks import prune_outbox

    assert (
        api_client.post(ENDPOINTS["otp_request"], {"email": "nobody@example.org"}, format="json").status_code
        == 200
    )
    [row] = EmailOutbox.objects.all()  # the worker ran inline on commit
    assert (row.status, row.prepare, row.context, row.secret_context) == (EmailStatus.DROPPED, "", {}, None)
    assert mailoutbox == []
    clock.advance(timedelta(days=31))  # EMAIL_OUTBOX_RETENTION_DAYS = 30
    prune_outbox.delay()
    assert not EmailOutbox.objects.exists()


def test_every_registered_preparer_imports_and_a_broken_one_fails_the_system_check(settings):
    from apps.emails import checks, registry

    assert checks.outbox_preparers_check(None) == []
    registry.PREPARERS["broken"] = "apps.users.auth.services.otp.no_such_preparer"
    try:
        [error] = checks.outbox_preparers_check(None)
    finally:
        del registry.PREPARERS["broken"]
    assert error.id == "emails.E001"
