"""Redis (broker and cache) down when a user registers: the request succeeds at once, and the sweeper
delivers the verification email exactly once when Redis is back. Uses a throwaway redis-server (never the
shared one) and a real worker."""

import time

import pytest
import redis
from rest_framework.test import APIClient

from apps.emails.models import EmailOutbox, EmailStatus
from apps.emails.tasks import sweep_outbox
from apps.users.tests.registration_support import register, verification_link
from config.celery import app
from tests.support import RedisServer, celery_broker_at, running_worker, text_part, wait_until

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


def test_registering_while_redis_is_down_succeeds_and_the_email_arrives_once_redis_is_back(
    throwaway_redis, smtp_server, settings
):
    with running_worker():
        throwaway_redis.kill()

        started = time.monotonic()
        response = register(APIClient(), "ann@example.com")
        assert response.status_code == 201, response.content
        assert time.monotonic() - started < 3  # no hanging on the dead broker or cache
        [row] = EmailOutbox.objects.all()
        assert (row.template, row.status) == ("verify_email", EmailStatus.PENDING)

        throwaway_redis.start()  # same port, and empty: nothing was queued during the outage
        settings.EMAIL_OUTBOX_GRACE_SECONDS = 0
        sweep_outbox.delay()  # what beat does every minute; the worker reconnects and runs it
        [message] = smtp_server.wait_for(1, timeout=45)
        assert (message["To"], message["Subject"]) == ("ann@example.com", "Verify your KinWise account")
        assert verification_link(text_part(message))
        wait_until(lambda: EmailOutbox.objects.get(id=row.id).status == EmailStatus.SENT, message="row sent")

        # Later sweeps find nothing to do: still exactly one message.
        sweep_outbox.delay()
        client = redis.Redis.from_url(throwaway_redis.url)
        wait_until(lambda: client.llen("celery") + client.llen("emails") == 0, message="queues drained")
    assert len(smtp_server.messages) == 1


def test_a_login_code_requested_while_redis_is_down_is_made_and_sent_once_redis_is_back(
    throwaway_redis, smtp_server, settings
):
    """The request row is the durable job: nothing of the request is lost with the broker."""
    from apps.users.models import EmailOTP
    from apps.users.tests.factories import UserFactory
    from apps.users.tests.otp_helpers import code_from_text, request_code, verify_code

    user = UserFactory(email="ann@example.com")
    with running_worker():
        throwaway_redis.kill()
        started = time.monotonic()
        assert request_code(APIClient(), user.email).status_code == 200
        assert time.monotonic() - started < 3
        [row] = EmailOutbox.objects.all()
        assert (row.prepare, row.status) == ("otp_request", EmailStatus.PENDING)
        assert not EmailOTP.objects.exists()

        throwaway_redis.start()
        settings.EMAIL_OUTBOX_GRACE_SECONDS = 0
        sweep_outbox.delay()
        [message] = smtp_server.wait_for(1, timeout=45)
        assert message["To"] == user.email
        wait_until(lambda: EmailOutbox.objects.get(id=row.id).status == EmailStatus.SENT, message="row sent")
    response = verify_code(APIClient(), user.email, code_from_text(text_part(message)))
    assert response.status_code == 200, response.content
