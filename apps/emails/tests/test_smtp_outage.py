"""An SMTP server that is down for a while, or for good, seen by a real worker on a real broker."""

import logging
import time

import pytest
from django.db import transaction

from apps.emails.models import EmailOutbox, EmailStatus
from apps.emails.services import email_send, email_sweep
from tests.support import text_part, wait_until

pytestmark = pytest.mark.requires_services


@pytest.fixture
def fast_retries(settings):
    settings.EMAIL_OUTBOX_RETRY_BASE_SECONDS = 0.2
    settings.EMAIL_OUTBOX_MAX_ATTEMPTS = 3
    return settings


def _row(row_id) -> EmailOutbox:
    return EmailOutbox.objects.get(id=row_id)


def test_email_arrives_after_the_smtp_server_comes_back(celery_worker, smtp_server, fast_retries):
    smtp_server.fail_next = 2
    with transaction.atomic():
        row = email_send(to="ann@example.com", template="welcome", context={"name": "Ann"})
    [message] = smtp_server.wait_for(1)
    assert "Welcome to KinWise, Ann!" in text_part(message)
    wait_until(lambda: _row(row.id).status == EmailStatus.SENT, message="row marked sent")
    assert (_row(row.id).attempts, _row(row.id).last_error) == (3, "")
    assert smtp_server.attempts == 3
    assert len(smtp_server.sessions) == 3  # a failed send drops the kept session: each retry opens its own


def test_smtp_failing_for_good_leaves_the_row_failed_after_n_tries(
    celery_worker, smtp_server, fast_retries, caplog
):
    smtp_server.fail_always = True
    with transaction.atomic():
        row = email_send(to="ann@example.com", template="login_otp", secret_context={"otp_code": "135790"})
    wait_until(lambda: _row(row.id).status == EmailStatus.FAILED, message="row marked failed")
    failed = _row(row.id)
    assert failed.attempts == 3
    assert "451" in failed.last_error
    assert failed.secret_context is None
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert any(f"Email {row.id} failed for good" in message for message in errors)
    # Nothing loops: no further attempt comes, and the sweeper leaves a failed row alone.
    fast_retries.EMAIL_OUTBOX_GRACE_SECONDS = 0
    assert email_sweep() == 0
    time.sleep(1.5)  # several retry periods
    assert smtp_server.attempts == 3
    assert _row(row.id).status == EmailStatus.FAILED
    assert smtp_server.messages == []
