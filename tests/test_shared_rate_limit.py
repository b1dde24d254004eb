"""Rate limits hold across separate web processes when Redis is the cache."""

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

from tests.support import free_port, wait_for_healthz

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.requires_services


def _post(port: int, path: str, body: dict) -> int:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 — loopback only
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.fixture
def two_web_processes(tmp_path, redis_url):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "REDIS_URL": redis_url,
    }
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True, timeout=120
    )
    ports = [free_port(), free_port()]
    servers = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi",
                "-b",
                f"127.0.0.1:{port}",
                "-w",
                "1",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
        )
        for port in ports
    ]
    try:
        for port in ports:
            wait_for_healthz(port)
        yield ports
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=10)


def test_email_limit_is_shared_by_two_processes(two_web_processes, settings):
    first, second = two_web_processes
    limit = int(settings.RATE_LIMITS["login_email"].split("/")[0])
    body = {"email": f"target-{uuid.uuid4().hex}@example.com", "password": "WrongPass123!"}
    codes = [_post(first if i % 2 else second, "/api/v1/auth/login/", body) for i in range(limit + 1)]
    assert codes[:limit] == [401] * limit
    assert codes[limit] == 429
