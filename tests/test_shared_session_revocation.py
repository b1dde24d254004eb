"""A session signed out through one web process is refused by another at once: on Redis, and on the embedded
default's file cache (shared by the processes of one machine)."""

import json
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid

import pytest

from tests.support import ROOT, Process, free_port, venv_env, wait_for_health

# a new address each run: the file variant's rate-limit counters live in var/ and outlive the test
EMAIL, PASSWORD = f"shared-sessions-{uuid.uuid4().hex[:12]}@example.com", "SecurePass123!"
CREATE_USER = (
    "from apps.users.models import User; "
    f"User.objects.create_user({EMAIL!r}, {PASSWORD!r}, email_verified=True)"
)


def _call(port: int, method: str, path: str, body: dict | None = None, token: str = "") -> tuple[int, dict]:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", data=data, headers=headers, method=method
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 — loopback only
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def _cache_env(kind: str, tmp_path, request) -> dict[str, str]:
    database = {"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    if kind == "redis":
        return venv_env(
            DJANGO_SETTINGS_MODULE="config.settings.test",
            REDIS_URL=request.getfixturevalue("redis_url"),
            **database,
        )
    return venv_env(**database)  # the embedded default: config.settings.local, file caches under var/


@pytest.fixture(params=[pytest.param("redis", marks=pytest.mark.requires_services), "file"])
def two_web_processes(request, tmp_path):
    env = _cache_env(request.param, tmp_path, request)
    for command in (["migrate", "-v0"], ["shell", "-c", CREATE_USER]):
        subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True, timeout=300)
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
            server.stop(timeout=10)


def test_a_logout_on_one_process_is_refused_by_the_other_at_once(two_web_processes):
    first, second = two_web_processes
    status, tokens = _call(first, "POST", "/api/v1/auth/login/", {"email": EMAIL, "password": PASSWORD})
    assert status == 200, tokens
    assert _call(second, "GET", "/api/v1/auth/me/", token=tokens["access"])[0] == 200

    assert _call(first, "POST", "/api/v1/auth/logout/", {"refresh": tokens["refresh"]})[0] == 200
    signed_out = time.monotonic()
    status, body = _call(second, "GET", "/api/v1/auth/me/", token=tokens["access"])
    assert (status, body.get("code")) == (401, "session_revoked")
    assert time.monotonic() - signed_out < 1
    assert _call(first, "GET", "/api/v1/auth/me/", token=tokens["access"])[0] == 401
