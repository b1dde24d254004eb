"""A worker process SIGKILLed while it holds deliveries: every email still arrives, none twice.

Separate worker processes (the Procfile's command) on the real Redis broker, sharing this test's database.
Timeouts are shortened through the workers' environment: Redis hands unacknowledged messages out again
after 2 s instead of 2 h, and a "sending" claim is stale after 2 s instead of 5 min.
"""

import pytest
import redis
from django.conf import settings as django_settings
from django.db import transaction

from apps.emails.models import EmailOutbox
from apps.emails.services import email_send
from apps.emails.tasks import sweep_outbox
from tests.support import shared_database_url, start_procfile_worker, venv_env, wait_until

pytestmark = pytest.mark.requires_services


def _statuses() -> list[str]:
    return sorted(EmailOutbox.objects.values_list("status", flat=True))


def _broker_idle(client: redis.Redis) -> bool:
    queues = [queue.name for queue in django_settings.CELERY_TASK_QUEUES]
    return sum(client.llen(name) for name in queues) == 0 and client.hlen("unacked") == 0


def test_killed_worker_loses_no_email_and_sends_none_twice(celery_broker, smtp_server, tmp_path):
    env = venv_env(
        DATABASE_URL=shared_database_url(),
        CELERY_BROKER_URL=celery_broker,
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(django_settings.EMAIL_PORT),
        CELERY_VISIBILITY_TIMEOUT="2",
        EMAIL_OUTBOX_STALE_SECONDS="2",
        EMAIL_OUTBOX_GRACE_SECONDS="1",
    )
    broker = redis.Redis.from_url(celery_broker)
    addresses = [f"member{i}@example.com" for i in range(4)]

    smtp_server.stall = True  # the server keeps every client waiting at RCPT: deliveries in progress
    doomed = start_procfile_worker(env=env, log=tmp_path / "doomed.log", name="doomed")
    try:
        with transaction.atomic():
            for address in addresses:
                email_send(to=address, template="test")
        # Concurrency 2, prefetch 1: both pool processes are mid-delivery, each holding an unacked message.
        wait_until(lambda: smtp_server.stalled == 2, message="two deliveries in progress")
        assert broker.hlen("unacked") == 2
    finally:
        doomed.kill()
    assert _statuses() == ["pending", "pending", "sending", "sending"]
    smtp_server.stall = False

    survivor = start_procfile_worker(env=env, log=tmp_path / "survivor.log", name="survivor")
    try:
        # Beat would run the sweeper every minute; here it is sent through the broker every half second.
        wait_until(
            lambda: sweep_outbox.delay() and _statuses() == ["sent"] * 4,
            timeout=30,
            interval=0.5,
            message="every row sent",
        )
        wait_until(lambda: _broker_idle(broker), timeout=30, message="no message left in the broker")
    finally:
        survivor.kill()  # all done; a warm shutdown would only cost time
    assert sorted(message["To"] for message in smtp_server.messages) == addresses
    assert "survivor" in survivor.output() and "'sent'" in survivor.output()
