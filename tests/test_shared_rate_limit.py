"""Rate limits hold across separate web processes when Redis is the cache."""

import json
import sys
import urllib.error
import urllib.request
import uuid

import pytest

from tests.support import Process, free_port, shared_database_url, venv_env, wait_for_health

pytestmark = pytest.mark.requires_services


def _post(port: int, path: str, body: dict) -> int:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        # a guard against a hung server only: on a loaded machine one login took over 10 s
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 — loopback only
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.fixture
def two_web_processes(tmp_path, redis_url, transactional_db):
    # The session's test database, migrated once (transactional_db: what the servers write is committed and
    # flushed afterwards). Migrating a new one for each run took over two minutes on a loaded machine.
    env = venv_env(
        DJANGO_SETTINGS_MODULE="config.settings.test", DATABASE_URL=shared_database_url(), REDIS_URL=redis_url
    )
    ports = [free_port(), free_port()]
    servers = [
        Process(
            [sys.executable, "-m", "gunicorn", "config.wsgi", "-b", f"127.0.0.1:{port}", "-w", "1"],
            env=env,
            log=tmp_path / f"web-{port}.log",
        )
        for port in ports
    ]
    try:
        for port in ports:
            wait_for_health(port)
        yield ports
    finally:
        for server in servers:
            server.stop(timeout=30)


def test_email_limit_is_shared_by_two_processes(two_web_processes, settings):
    first, second = two_web_processes
    limit = int(settings.RATE_LIMITS["login_email"].split("/")[0])
    body = {"email": f"target-{uuid.uuid4().hex}@example.com", "password": "WrongPass123!"}
    codes = [_post(first if i % 2 else second, "/api/v1/auth/login/", body) for i in range(limit + 1)]
    assert codes[:limit] == [401] * limit
    assert codes[limit] == 429
