"""One row, one email: however often its delivery runs, and however many sweeps overlap."""

import threading
import time

import pytest
from django.db import connection, transaction

from apps.emails.models import EmailOutbox, EmailStatus
from apps.emails.services import email_deliver, email_send, email_sweep
from apps.emails.tasks import deliver_email
from config.celery import app
from tests.support import broker_idle, celery_broker_at, running_worker, wait_until


def _in_parallel(function, count=2):
    """Run `function` in `count` threads released at the same instant; return their results."""
    barrier = threading.Barrier(count)
    results = [None] * count

    def run(i):
        try:
            barrier.wait(timeout=10)
            results[i] = function()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def _queue_while_broker_down(**kwargs) -> EmailOutbox:
    with transaction.atomic():
        row = email_send(to="ann@example.com", template="test", **kwargs)
    assert EmailOutbox.objects.get(id=row.id).status == EmailStatus.PENDING
    return row


def test_concurrent_deliveries_of_one_row_send_one_email(broker_down, mailoutbox):
    row = _queue_while_broker_down()
    outcomes = _in_parallel(lambda: email_deliver(outbox_id=row.id).status)
    assert sorted(outcomes) == ["sent", "skipped"]
    assert len(mailoutbox) == 1
    assert EmailOutbox.objects.get(id=row.id).attempts == 1


@pytest.mark.requires_services
def test_running_the_delivery_task_twice_sends_one_email(celery_worker, smtp_server):
    with transaction.atomic():
        row = email_send(to="ann@example.com", template="test")  # enqueued once on commit
    deliver_email.delay(row.id)
    deliver_email.delay(row.id)
    # No result rows (ignore_result): all three ran once the broker holds none of their messages.
    wait_until(lambda: broker_idle(app), message="three deliveries ran")
    assert len(smtp_server.wait_for(1)) == 1
    sent = EmailOutbox.objects.get(id=row.id)
    assert sent.status == EmailStatus.SENT
    assert sent.attempts == 1  # the two copies were skipped: neither claimed the row
    assert smtp_server.attempts == 1


@pytest.mark.requires_services
def test_two_overlapping_sweeps_send_one_email(broker_down, settings, smtp_server):
    row = _queue_while_broker_down()
    settings.EMAIL_OUTBOX_GRACE_SECONDS = 0
    with celery_broker_at(settings.CELERY_BROKER_URL):
        # Both sweeps see the due row before any worker runs (with a worker already up, the first copy could
        # be delivered before the second sweep looks, and that sweep would rightly find nothing due).
        assert _in_parallel(email_sweep) == [1, 1]
        with running_worker():
            wait_until(lambda: broker_idle(app), message="2 deliveries")
    # one sent, one skipped: a single claim, a single SMTP attempt
    time.sleep(0.2)
    assert len(smtp_server.messages) == 1
    assert smtp_server.attempts == 1
    sent = EmailOutbox.objects.get(id=row.id)
    assert (sent.status, sent.attempts) == (EmailStatus.SENT, 1)
