"""Redis down when an email is sent: the sender succeeds at once, and the sweeper delivers the email exactly
once when Redis is back. Uses a throwaway redis-server (never the shared one) and a real worker."""

import time

import pytest
import redis
from django.db import transaction

from apps.emails.models import EmailOutbox, EmailStatus
from apps.emails.services import email_send
from apps.emails.tasks import sweep_outbox
from config.celery import app
from tests.support import RedisServer, celery_broker_at, running_worker, wait_until

pytestmark = pytest.mark.requires_services


@pytest.fixture
def throwaway_redis(transactional_db, settings):
    """A private Redis as broker and cache; tasks go through it (not run inline)."""
    server = RedisServer().start()
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": server.url,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    app.conf.task_always_eager = False
    try:
        with celery_broker_at(server.url):
            yield server
    finally:
        app.conf.task_always_eager = True
        server.kill()


def test_email_sent_while_redis_is_down_arrives_once_redis_is_back(throwaway_redis, smtp_server, settings):
    with running_worker():
        throwaway_redis.kill()

        started = time.monotonic()
        with transaction.atomic():
            row = email_send(to="ann@example.com", template="welcome", context={"name": "Ann"})
        assert time.monotonic() - started < 2  # no hanging on the dead broker
        assert EmailOutbox.objects.get(id=row.id).status == EmailStatus.PENDING

        throwaway_redis.start()  # same port, empty: the queued-nothing state after an outage
        settings.EMAIL_OUTBOX_GRACE_SECONDS = 0
        sweep_outbox.delay()  # what beat does every minute; the worker reconnects and runs it
        [message] = smtp_server.wait_for(1, timeout=45)
        assert message["To"] == "ann@example.com"
        wait_until(lambda: EmailOutbox.objects.get(id=row.id).status == EmailStatus.SENT, message="sent")

        # Later sweeps find nothing to do: still exactly one message.
        sweep_outbox.delay()
        client = redis.Redis.from_url(throwaway_redis.url)
        wait_until(lambda: client.llen("celery") + client.llen("emails") == 0, message="queues drained")
    assert len(smtp_server.messages) == 1
