"""The sweeper and the pruner: rows nobody delivers are picked up, dead attempts end, old rows go."""

import logging
import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction

from apps.emails.models import EmailOutbox, EmailStatus
from apps.emails.services import email_deliver, email_send, email_sweep
from apps.emails.tasks import prune_outbox
from config.celery import app
from tests.support import wait_until


def _undelivered_row(**kwargs) -> EmailOutbox:
    """Committed while the broker was down (the broker_down fixture): no delivery message exists."""
    with transaction.atomic():
        row = email_send(to="ann@example.com", template="login_otp", **kwargs)
    assert EmailOutbox.objects.get(id=row.id).status == EmailStatus.PENDING
    return row


def test_a_row_without_a_message_is_sent_by_the_sweeper_after_the_grace_period(
    broker_down, clock, mailoutbox
):
    row = _undelivered_row(secret_context={"otp_code": "112233"})
    app.conf.task_always_eager = True  # the broker is back (tasks run inline from here on)
    assert email_sweep() == 0  # the on-commit message gets its chance first
    clock.advance(timedelta(seconds=61))
    assert email_sweep() == 1
    assert len(mailoutbox) == 1
    assert "112233" in mailoutbox[0].body
    assert EmailOutbox.objects.get(id=row.id).status == EmailStatus.SENT
    assert email_sweep() == 0


def test_a_sweep_stops_at_the_first_broker_error(broker_down, clock, caplog):
    for _ in range(3):
        _undelivered_row()
    clock.advance(timedelta(minutes=2))
    caplog.clear()
    assert email_sweep() == 0
    assert len([r for r in caplog.records if "Broker unreachable" in r.getMessage()]) == 1


def test_an_attempt_abandoned_on_the_last_try_ends_failed_without_its_secret(
    broker_down, clock, smtp_server, settings, caplog
):
    settings.EMAIL_OUTBOX_MAX_ATTEMPTS = 1
    row = _undelivered_row(secret_context={"otp_code": "445566"})
    smtp_server.stall = True  # the attempt hangs, as one would in a worker that is about to die

    def attempt():
        try:
            email_deliver(outbox_id=row.id)
        finally:
            connection.close()

    dying = threading.Thread(target=attempt)
    dying.start()
    try:
        wait_until(lambda: smtp_server.stalled == 1, message="the attempt in progress")
        clock.advance(timedelta(seconds=settings.EMAIL_OUTBOX_STALE_SECONDS + 1))
        assert email_sweep() == 0
        failed = EmailOutbox.objects.get(id=row.id)
        assert (failed.status, failed.attempts) == (EmailStatus.FAILED, 1)
        assert failed.last_error == "Worker lost during the last delivery attempt"
        assert failed.secret_context is None
        assert any(r.levelno == logging.ERROR for r in caplog.records)
    finally:
        smtp_server.refuse.add("ann@example.com")  # the hung attempt ends without sending
        smtp_server.stall = False
        dying.join(timeout=20)
    assert smtp_server.messages == []


@pytest.mark.django_db
def test_sent_and_failed_rows_are_pruned_after_the_retention_period(
    clock, smtp_server, django_capture_on_commit_callbacks
):
    smtp_server.refuse.add("gone@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        email_send(to="ok@example.com", template="test")
        email_send(to="gone@example.com", template="test")
    pending = email_send(to="later@example.com", template="test")  # never committed: stays pending
    assert sorted(EmailOutbox.objects.values_list("status", flat=True)) == ["failed", "pending", "sent"]

    clock.advance(timedelta(days=29))
    prune_outbox.delay()
    assert EmailOutbox.objects.count() == 3
    clock.advance(timedelta(days=2))
    prune_outbox.delay()
    assert list(EmailOutbox.objects.values_list("id", flat=True)) == [pending.id]
