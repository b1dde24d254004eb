"""Real services for tests: an SMTP server, Celery workers (in a thread or as processes), a Redis server.

Processes, ports, the Procfile and waiting come from scripts/processes.py (shared with bench/ and the smoke
test); they are re-exported here for the tests.
"""

import asyncio
import contextlib
import email
import os
import shlex
import shutil
import subprocess
import sys
import threading
import time
from email import policy
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller

from scripts.processes import (  # the tests import them from here
    ROOT,  # noqa: F401
    Process,
    free_port,
    procfile,
    wait_for_health,  # noqa: F401
    wait_until,
)


class SmtpSink:
    """An aiosmtpd handler that keeps every accepted message.

    `fail_next` makes it answer 451 to that many messages, `fail_always` to all; `refuse` holds addresses it
    refuses for good (550); while `stall` is set it holds every client at RCPT without an answer (a slow
    server), counting them in `stalled`. `attempts` counts every message offered (DATA), accepted or not.
    """

    def __init__(self):
        self.messages: list[EmailMessage] = []
        self.fail_next = 0
        self.fail_always = False
        self.refuse: set[str] = set()
        self.stall = False
        self.stalled = 0
        self.attempts = 0
        self.sessions: list = []  # the SMTP sessions (connections) messages were offered on, in order
        self._lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if self.stall:
            with self._lock:
                self.stalled += 1
            while self.stall:  # noqa: ASYNC110 - a plain flag, set and cleared by the test's own thread
                await asyncio.sleep(0.05)
        if address in self.refuse:
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 — aiosmtpd's hook name
        with self._lock:
            self.attempts += 1
            if not any(known is session for known in self.sessions):
                self.sessions.append(session)
            if self.fail_always or self.fail_next > 0:
                self.fail_next = max(0, self.fail_next - 1)
                return "451 4.3.0 Try again later"
            self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def wait_for(self, count: int, timeout: float = 20.0) -> list[EmailMessage]:
        """Block until at least `count` messages arrived; return them (fails the test on timeout)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.messages) >= count:
                    return list(self.messages)
            time.sleep(0.05)
        raise AssertionError(f"expected {count} email(s) within {timeout}s, got {len(self.messages)}")

    def messages_to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address in m["To"]]


def text_part(message: EmailMessage) -> str:
    return _part(message, "plain")


def html_part(message: EmailMessage) -> str:
    return _part(message, "html")


def _part(message: EmailMessage, subtype: str) -> str:
    body = message.get_body(preferencelist=(subtype,))
    assert body is not None, f"no text/{subtype} part"
    return body.get_content()


class SmtpServer:
    def __init__(self):
        self.sink = SmtpSink()
        self.port = free_port()
        self._controller = Controller(
            self.sink, hostname="127.0.0.1", port=self.port, loop=asyncio.new_event_loop()
        )

    def start(self):
        self._controller.start()

    def stop(self):
        self._controller.stop()


# ---- Celery in this process -----------------------------------------------------------------------------


def broker_purge(app) -> None:
    """Empty every declared queue and forget messages a killed worker left unacknowledged."""
    from django.conf import settings

    with app.connection_for_write() as conn:
        for queue in settings.CELERY_TASK_QUEUES:
            conn.default_channel.queue_purge(queue.name)
        client = conn.default_channel.client
        client.delete("unacked", "unacked_index", "unacked_mutex")


def broker_idle(app) -> bool:
    """No message waits in any declared queue and none is taken but unacknowledged: every task published
    so far has run (tasks acknowledge after running, task_acks_late)."""
    from django.conf import settings

    with app.connection_for_write() as conn:
        client = conn.default_channel.client
        waiting = sum(client.llen(queue.name) for queue in settings.CELERY_TASK_QUEUES)
        return waiting + client.hlen("unacked") == 0


@contextlib.contextmanager
def running_worker(**options):
    """A real worker in a thread of this process, consuming every declared queue (solo pool)."""
    from celery.contrib.testing.worker import start_worker
    from celery.signals import task_postrun
    from django.conf import settings
    from django.db import connections

    from config.celery import app

    queues = [queue.name for queue in settings.CELERY_TASK_QUEUES]

    def close_connections(**kwargs):
        # A worker keeps its database connection between tasks; this one's thread ends with the test, and
        # a connection left open there would outlive it (and keep the test database from being dropped).
        if threading.current_thread() is not threading.main_thread():
            connections.close_all()

    task_postrun.connect(close_connections, weak=False)
    try:
        with start_worker(
            app, pool="solo", perform_ping_check=False, queues=queues, shutdown_timeout=30, **options
        ) as worker:
            yield worker
    finally:
        task_postrun.disconnect(close_connections)


@contextlib.contextmanager
def celery_broker_at(url: str, transport_options: dict | None = None):
    """Point this process's Celery app (publishing and new workers) at another broker for a while."""
    from config.celery import app

    def reset_pools():
        # Only forget them: kombu keeps one pool per broker URL process-wide, and reuses it later.
        app._pool = None
        app.amqp._producer_pool = None

    previous = app.conf.broker_url, app.conf.broker_transport_options
    app.conf.broker_url = url  # type: ignore[misc]  # celery-types makes it read-only; Celery's conf is not
    if transport_options is not None:
        app.conf.broker_transport_options = transport_options
    reset_pools()
    try:
        yield
    finally:
        app.conf.broker_url, app.conf.broker_transport_options = previous  # type: ignore[misc]  # as above
        reset_pools()


# ---- Separate processes ---------------------------------------------------------------------------------


def venv_env(**overrides: str) -> dict[str, str]:
    """The environment for a KinWise process started by a test: this virtualenv first on PATH, the
    embedded-default settings module unless overridden, and `overrides` on top."""
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "PYTHONUNBUFFERED": "1",
        "DEBUG": "False",
    }
    for key in ("REDIS_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "EMAIL_HOST", "PORT"):
        env.pop(key, None)
    env.update(overrides)
    return env


def shared_database_url() -> str:
    """A DATABASE_URL for the database this test session runs on, for worker processes to share it."""
    from django.db import connection

    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def start_procfile_worker(*, env: dict[str, str], log: Path, name: str) -> Process:
    """The Procfile's worker command, as a separate process; returns once it is ready to take tasks."""
    command = [*shlex.split(procfile()["worker"]), "--hostname", f"{name}@%h"]
    worker = Process(command, env=env, log=log)
    worker.wait_for_output(" ready.", timeout=60)
    return worker


class RedisServer:
    """A throwaway redis-server on a free port (no persistence), to stop and start at will."""

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._popen: subprocess.Popen | None = None

    def start(self) -> "RedisServer":
        binary = shutil.which("redis-server")
        assert binary, "redis-server is not installed"
        self._popen = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(self._answers, timeout=10, message=f"redis-server on port {self.port}")
        return self

    def _answers(self) -> bool:
        import redis

        try:
            return redis.Redis(port=self.port, socket_connect_timeout=0.2).ping()
        except redis.RedisError:
            return False

    def kill(self) -> None:
        if self._popen and self._popen.poll() is None:
            self._popen.kill()
            self._popen.wait(timeout=10)
