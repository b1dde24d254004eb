"""OTP login end to end through a real worker, a real Redis broker and a real SMTP server."""

import logging
import os

import pytest
from django.conf import settings

from apps.emails.models import EmailOutbox, EmailStatus
from apps.users.tests.factories import UserFactory
from apps.users.tests.otp_helpers import code_from_text, request_code, verify_code
from apps.users.tests.secret_scan import database_hits, redis_hits
from tests.support import text_part, wait_until

pytestmark = pytest.mark.requires_services


def redis_databases() -> list[str]:
    urls = {settings.CELERY_BROKER_URL, os.environ.get("TEST_REDIS_URL", "")}
    if settings.REDIS_URL:
        urls.add(settings.REDIS_URL)
    return sorted(url for url in urls if url.startswith("redis://"))


def test_code_from_the_received_email_logs_in_and_opens_me(celery_worker, smtp_server, api_client):
    user = UserFactory(email="e2e-otp@example.com")
    assert request_code(api_client, user.email).status_code == 200
    [message] = smtp_server.wait_for(1)
    assert message["Subject"] == "Your KinWise login code"
    assert message["To"] == user.email
    code = code_from_text(text_part(message))

    response = verify_code(api_client, user.email, code)
    assert response.status_code == 200, response.content
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['access']}")
    me = api_client.get("/api/v1/auth/me/")
    assert me.status_code == 200
    assert me.json()["email"] == user.email


def test_code_is_nowhere_in_database_broker_cache_or_logs_after_sending(
    celery_worker, smtp_server, api_client, caplog
):
    caplog.set_level(logging.DEBUG)
    user = UserFactory(email="scan-otp@example.com")
    assert request_code(api_client, user.email).status_code == 200
    [message] = smtp_server.wait_for(1)
    code = code_from_text(text_part(message))
    wait_until(
        lambda: EmailOutbox.objects.filter(to=user.email, status=EmailStatus.SENT).exists(),
        message="outbox row marked sent",
    )

    assert database_hits(code) == []
    for url in redis_databases():
        assert redis_hits(url, code) == [], url
    # mail.log is aiosmtpd, the test's own SMTP server, which logs what it receives
    ours = [r for r in caplog.records if not r.name.startswith("mail.log")]
    assert ours, "expected the worker's delivery log lines"
    assert all(code not in record.getMessage() for record in ours)

    assert verify_code(api_client, user.email, code).status_code == 200
    assert database_hits(code) == []


@pytest.mark.django_db
def test_the_scan_finds_a_planted_code(redis_url):
    import redis

    from apps.audit.services import log_action

    log_action(action_type="OTP_REQUESTED", metadata={"oops": "code 424242 here"})
    redis.Redis.from_url(redis_url).rpush("some-queue", b'{"args": ["424242"]}')
    assert database_hits("424242") == ["audit_log.metadata"]
    assert redis_hits(redis_url, "424242") == ["some-queue"]
    assert database_hits("24242") == []  # digits inside a longer number are not a hit
