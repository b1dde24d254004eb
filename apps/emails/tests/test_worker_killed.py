"""A worker process SIGKILLed while it holds deliveries: every email still arrives, none twice.

Two separate worker processes (the Procfile's command) on the real Redis broker share this test's database.
One is killed while both are in the middle of SMTP exchanges. A "sending" claim is stale after 2 s here
(instead of 5 min, through the workers' environment), so the outbox sweeper hands the dead worker's rows to
the survivor. Redis would hand out the dead worker's unacknowledged messages again after the visibility
timeout (2 h); the test does that at once, and those late copies must not send anything.
"""

import pytest
import redis
from django.conf import settings as django_settings
from django.db import transaction

from apps.emails.models import EmailOutbox
from apps.emails.services import email_send
from apps.emails.tasks import sweep_outbox
from config.celery import app
from tests.support import Process, procfile, shared_database_url, venv_env, wait_until

pytestmark = pytest.mark.requires_services


def _statuses() -> list[str]:
    return sorted(EmailOutbox.objects.values_list("status", flat=True))


def _queued(client: redis.Redis) -> int:
    return sum(client.llen(queue.name) for queue in django_settings.CELERY_TASK_QUEUES)


def _start_workers(env, tmp_path, *names) -> list[Process]:
    workers = [
        Process(f"{procfile()['worker']} --hostname {name}@%h", env=env, log=tmp_path / f"{name}.log")
        for name in names
    ]
    for worker in workers:
        worker.wait_for_output(" ready.", timeout=60)
    return workers


def test_killed_worker_loses_no_email_and_sends_none_twice(celery_broker, smtp_server, tmp_path):
    env = venv_env(
        DATABASE_URL=shared_database_url(),
        CELERY_BROKER_URL=celery_broker,
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(django_settings.EMAIL_PORT),
        EMAIL_OUTBOX_STALE_SECONDS="2",
        EMAIL_OUTBOX_GRACE_SECONDS="1",
        CELERY_WORKER_CONCURRENCY="2",  # read by the celery command line
    )
    broker = redis.Redis.from_url(celery_broker)
    addresses = [f"member{i}@example.com" for i in range(4)]

    doomed, survivor = _start_workers(env, tmp_path, "doomed", "survivor")
    try:
        smtp_server.stall = True  # the server keeps every client waiting at RCPT: deliveries in progress
        with transaction.atomic():
            for address in addresses:
                email_send(to=address, template="test")
        # Concurrency 2, prefetch 1: each worker has two deliveries in progress, each an unacked message.
        wait_until(lambda: smtp_server.stalled == 4, message="four deliveries in progress")
        assert broker.hlen("unacked") == 4
        doomed.kill()
        smtp_server.stall = False

        # The survivor finishes its own two; the sweeper (beat's job, here sent every half second) re-offers
        # the dead worker's two once their claims are stale.
        wait_until(
            lambda: sweep_outbox.delay() and _statuses() == ["sent"] * 4,
            timeout=30,
            interval=0.5,
            message="every row sent",
        )
        # Once the survivor is idle, Redis still holds the dead worker's two messages for it.
        wait_until(lambda: _queued(broker) == 0 and broker.hlen("unacked") == 2, message="survivor idle")
        with app.connection_for_write() as conn:  # what Redis does once the visibility timeout passes
            for tag in broker.hkeys("unacked"):
                conn.default_channel.qos.restore_by_tag(tag.decode())
        wait_until(
            lambda: _queued(broker) + broker.hlen("unacked") == 0, message="no message left in the broker"
        )
        # drained: the late copies ran (acknowledged after running) and, below, sent nothing
    finally:
        doomed.kill()
        survivor.kill()  # done; a warm shutdown would only cost time
    assert sorted(message["To"] for message in smtp_server.messages) == addresses
