"""One email backend connection per worker thread, kept open from delivery to delivery.

Opening an SMTP session for every email (TCP handshake, greeting, EHLO, STARTTLS, AUTH, then QUIT) cost
the worker more than the email itself (docs/PERFORMANCE.md). The session is kept and reused; after any
failure it is closed, so the next attempt starts on a fresh one; after a quiet spell it is checked with a
NOOP first (servers drop idle clients). A change of an EMAIL_* setting (tests) starts a new one. The
file-based backend (the embedded default) writes one file per connection, so it still gets one per email.
"""

import contextlib
import smtplib
import threading
import time

from django.core.mail import get_connection
from django.core.mail.backends.filebased import EmailBackend as FileBackend
from django.core.signals import setting_changed
from django.dispatch import receiver

IDLE_CHECK_SECONDS = 10

_local = threading.local()
_generation = 0


@receiver(setting_changed)
def _email_setting_changed(setting, **kwargs):
    global _generation
    if setting.startswith("EMAIL_"):
        _generation += 1


def send(message) -> None:
    """Send one message over this thread's kept connection; raises what the backend raises."""
    connection = _connection()
    if connection is None:
        message.connection = None
        message.send()
        return
    try:
        connection.send_messages([message])
    except BaseException:
        close()
        raise
    _local.used_at = time.monotonic()


def _connection():
    kept = getattr(_local, "connection", None)
    if kept is not None and (_local.generation != _generation or not _alive(kept)):
        close()
        kept = None
    if kept is None:
        kept = get_connection()
        if isinstance(kept, FileBackend):
            return None
        kept.open()
        _local.connection, _local.generation, _local.used_at = kept, _generation, time.monotonic()
    return kept


def _alive(connection) -> bool:
    session = getattr(connection, "connection", None)
    if not isinstance(session, smtplib.SMTP) or time.monotonic() - _local.used_at < IDLE_CHECK_SECONDS:
        return True
    try:
        return session.noop()[0] == 250
    except (smtplib.SMTPException, OSError):
        return False


def close() -> None:
    """Close this thread's kept connection (a failure, a worker process shutting down)."""
    kept = getattr(_local, "connection", None)
    _local.connection = None
    if kept is not None:
        with contextlib.suppress(Exception):  # a broken session; the next send opens a new one
            kept.close()
