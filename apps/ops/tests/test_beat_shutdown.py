"""Beat stops on SIGTERM whatever it was doing, and saves its schedule on the way out."""

import logging
import signal
import time

import pytest
from celery.apps.beat import Beat
from celery.beat import Service
from django.db import connection
from django_celery_beat.models import PeriodicTasks

from config.celery import app as celery_app


@pytest.fixture
def restore_signal_handlers():
    previous = {signum: signal.getsignal(signum) for signum in (signal.SIGTERM, signal.SIGINT)}
    yield
    for signum, handler in previous.items():
        signal.signal(signum, handler)


@pytest.mark.django_db(transaction=True)
def test_sigterm_in_the_middle_of_a_database_read_stops_beat(restore_signal_handlers, caplog, monkeypatch):
    """The SIGTERM lands while beat's read of the schedule's last change holds its cursor, on a connection
    past CONN_MAX_AGE (on SQLite every connection is). Celery's own handler saved the schedule right there,
    closing the connection under the read: unwinding the read then raised "Cannot operate on a closed
    database" in place of the SystemExit."""
    service = Service(
        celery_app,
        scheduler_cls="django_celery_beat.schedulers:DatabaseScheduler",
        max_interval=0.1,
        remote_control=False,
    )
    assert service.scheduler.schedule  # built and read before start(), as beat's start-up banner does
    Beat(app=celery_app, quiet=True).install_sync_handler(service)  # what `celery beat` does before start()
    last_change = PeriodicTasks.last_change
    reads = []

    def read_interrupted_by_sigterm():
        reads.append(time.monotonic())
        if len(reads) == 1:
            cursor = connection.cursor()
            try:  # as Django's compiler reads one row: fetch, then close the cursor in `finally`
                cursor.execute("SELECT 1")
                connection.close_at = time.monotonic()  # past CONN_MAX_AGE
                signal.getsignal(signal.SIGTERM)(signal.SIGTERM, None)
                cursor.fetchone()
            finally:
                cursor.close()
        if len(reads) > 10:  # beat ticked on: stop it, and let the assertions below say so
            service._is_shutdown.set()
        return last_change()

    monkeypatch.setattr(PeriodicTasks, "last_change", staticmethod(read_interrupted_by_sigterm))
    with caplog.at_level(logging.WARNING):
        service.start()

    assert len(reads) == 1, "beat kept ticking after SIGTERM"
    assert service._is_stopped.is_set()  # its shutdown path saved the schedule
    assert not [r for r in caplog.records if "Database" in r.getMessage()], caplog.text
