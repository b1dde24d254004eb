"""A worker process keeps its database connection from task to task (CONN_MAX_AGE), and replaces one that
died (CONN_HEALTH_CHECKS).

The Procfile's worker command (prefork pool, one child) on the real broker and this test's Postgres
database, under an application_name of its own, so pg_stat_activity shows which backend serves it. Celery's
Django fixup used to close the connection after every task: a new Postgres backend (a fork, an
authentication, a catalogue warm-up) for every email.
"""

import sys
import warnings

import pytest
from django.conf import settings as django_settings
from django.db import connection, transaction

from apps.emails.models import EmailOutbox, EmailStatus
from apps.emails.services import email_send
from tests.support import Process, procfile, shared_database_url, venv_env, wait_until

pytestmark = pytest.mark.requires_services

APPLICATION_NAME = "kinwise-worker-connection-test"


@pytest.fixture
def postgres():
    if connection.vendor != "postgresql":
        message = "the worker's persistent database connection is a Postgres matter (DATABASE_URL is SQLite)"
        warnings.warn(f"SKIPPING: {message}", stacklevel=2)
        sys.stderr.write(f"\n*** SKIPPED: {message} — run with DATABASE_URL=postgres://... ***\n")
        pytest.skip(message)


def _worker_backends() -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE application_name = %s AND datname = current_database()",
            [APPLICATION_NAME],
        )
        return [pid for (pid,) in cursor.fetchall()]


def _send_and_wait(address: str) -> None:
    with transaction.atomic():
        row = email_send(to=address, template="test")
    sent = EmailStatus.SENT
    wait_until(lambda: EmailOutbox.objects.get(id=row.id).status == sent, message=f"email to {address} sent")


def test_a_worker_process_serves_many_tasks_over_one_postgres_backend(
    postgres, celery_broker, smtp_server, tmp_path
):
    env = venv_env(
        DATABASE_URL=f"{shared_database_url()}?application_name={APPLICATION_NAME}",
        CELERY_BROKER_URL=celery_broker,
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(django_settings.EMAIL_PORT),
        CELERY_WORKER_CONCURRENCY="1",  # read by the celery command line
    )
    worker = Process(f"{procfile()['worker']} --hostname conn@%h", env=env, log=tmp_path / "worker.log")
    try:
        worker.wait_for_output(" ready.", timeout=60)
        _send_and_wait("first@example.com")
        [backend] = _worker_backends()  # still open after its task: before, the fixup had closed it

        for i in range(5):
            _send_and_wait(f"member{i}@example.com")
        assert _worker_backends() == [backend]

        # A connection that died between tasks (Postgres restarted, an idle timeout) fails the health check
        # at the next task's first query; the worker connects again and the email goes out.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [backend])
        wait_until(lambda: backend not in _worker_backends(), message="the worker's backend gone")
        _send_and_wait("after@example.com")
        [replacement] = _worker_backends()
        assert replacement != backend
        _send_and_wait("again@example.com")
        assert _worker_backends() == [replacement]
        assert len(smtp_server.messages) == 8
    finally:
        worker.stop()
