"""Fixtures shared by every app's tests."""

import contextlib
import os
import socket
import sys
import warnings
from urllib.parse import urlparse

import pytest
from django.core.cache import caches
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
    from apps.users.auth import revocation

    # a test that points the cache at a dead Redis must not break the next test's setup
    for alias in ("default", revocation.CACHE_ALIAS):
        with contextlib.suppress(Exception):
            caches[alias].clear()
    revocation.reset_state()


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
def celery_broker(transactional_db, settings):
    """The real Redis broker, its queues emptied, with tasks no longer run inline: a task a test publishes
    waits in Redis until a worker takes it. Needs a transactional database so workers see committed rows."""
    from config.celery import app
    from tests.support import broker_purge

    require_service("Redis (Celery broker)", settings.CELERY_BROKER_URL)
    broker_purge(app)
    app.conf.task_always_eager = False
    try:
        yield settings.CELERY_BROKER_URL
    finally:
        app.conf.task_always_eager = True


@pytest.fixture
def celery_worker(celery_broker):
    """A real Celery worker (in a thread of this process) consuming every queue from the real Redis broker."""
    from tests.support import running_worker

    with running_worker() as worker:
        yield worker


@pytest.fixture
def broker_down(transactional_db):
    """Celery publishes to a port where no broker listens, as when Redis is down: enqueueing fails."""
    from config.celery import app
    from tests.support import celery_broker_at, free_port

    app.conf.task_always_eager = False
    try:
        with celery_broker_at(f"redis://127.0.0.1:{free_port()}/0"):
            yield
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
