"""Fixtures shared by every app's tests."""

import contextlib
import os
import socket
import sys
import warnings
from urllib.parse import urlparse

import pytest
from django.core.cache import cache
from django.test import TestCase
from rest_framework.test import APIClient

TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
SERVICES_REQUIRED = os.environ.get("CI", "").lower() in {"1", "true", "yes"} or bool(
    os.environ.get("KINWISE_REQUIRE_SERVICES")
)


def _reachable(url: str) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 6379), timeout=1):
            return True
    except OSError:
        return False


def require_service(name: str, url: str) -> None:
    """Fail under CI when a real service is missing; on a laptop, skip and say so loudly."""
    if _reachable(url):
        return
    message = f"{name} is not reachable at {url}"
    if SERVICES_REQUIRED:
        pytest.fail(f"{message} (CI / KINWISE_REQUIRE_SERVICES requires it)", pytrace=False)
    warnings.warn(f"SKIPPING a real-service test: {message}", stacklevel=2)
    sys.stderr.write(f"\n*** SKIPPED: {message} — start it to run this test ***\n")
    pytest.skip(message)


@pytest.fixture
def redis_url():
    """A real Redis database for this test, emptied first."""
    import redis

    require_service("Redis", TEST_REDIS_URL)
    redis.Redis.from_url(TEST_REDIS_URL).flushdb()
    return TEST_REDIS_URL


@pytest.fixture(autouse=True)
def _clear_cache():
    # a test that points the cache at a dead Redis must not break the next test's setup
    with contextlib.suppress(Exception):
        cache.clear()
    yield


class CommitAwareAPIClient(APIClient):
    """Runs on-commit callbacks at the end of each request, as a real commit would.

    Tests run inside a transaction that is rolled back, so without this an email queued with
    transaction.on_commit would never leave the outbox in a test.
    """

    def request(self, **kwargs):
        with TestCase.captureOnCommitCallbacks(execute=True):
            return super().request(**kwargs)


@pytest.fixture
def api_client():
    return CommitAwareAPIClient()


@pytest.fixture
def password():
    return "SecurePass123!"


@pytest.fixture
def user(db, password):
    from apps.users.tests.factories import UserFactory

    return UserFactory(password=password)


@pytest.fixture
def auth_client(api_client, user, password):
    response = api_client.post(
        "/api/v1/auth/login/", {"email": user.email, "password": password}, format="json"
    )
    assert response.status_code == 200, response.content
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {response.data['access']}")
    api_client.tokens = response.data
    return api_client


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server in this process; Django sends to it over TCP. Yields the sink holding messages."""
    from tests.support import SmtpServer

    server = SmtpServer()
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = 5
    yield server.sink
    server.stop()


@pytest.fixture
def celery_worker(transactional_db, settings):
    """A real Celery worker (in a thread of this process) consuming every queue from a real Redis broker.

    Needs a transactional database so the worker sees committed rows.
    """
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    broker_url = settings.CELERY_BROKER_URL
    require_service("Redis (Celery broker)", broker_url)
    app.conf.task_always_eager = False
    queues = [queue.name for queue in settings.CELERY_TASK_QUEUES]
    with app.connection_for_write() as conn:
        for queue in queues:  # drop messages a previous test left behind
            conn.default_channel.queue_purge(queue)
    try:
        with start_worker(
            app, pool="solo", perform_ping_check=False, queues=queues, shutdown_timeout=30
        ) as worker:
            yield worker
    finally:
        app.conf.task_always_eager = True


@pytest.fixture
def clock():
    """Moves the domain clock (apps.common.clock): `clock.advance(timedelta(days=8))`, `clock.set_now(dt)`."""
    from apps.common import clock as domain_clock

    domain_clock.reset()
    yield domain_clock
    domain_clock.reset()


@pytest.fixture
def client_for(db, password):
    """client_for(user) -> an API client logged in as `user` through the login endpoint."""

    def make(user):
        client = CommitAwareAPIClient()
        response = client.post(
            "/api/v1/auth/login/", {"email": user.email, "password": password}, format="json"
        )
        assert response.status_code == 200, response.content
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {response.data['access']}")
        client.user = user
        return client

    return make
