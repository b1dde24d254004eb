"""Which delivery errors are retried, and how long the retries wait."""

import smtplib

import pytest

from apps.emails.models import EmailOutbox, EmailStatus
from apps.emails.services import backoff_seconds, email_send, is_transient


def test_backoff_doubles_with_jitter_in_the_upper_half_and_is_capped(settings):
    settings.EMAIL_OUTBOX_RETRY_BASE_SECONDS = 30
    settings.EMAIL_OUTBOX_RETRY_MAX_SECONDS = 3600
    for attempt, cap in [(1, 30), (2, 60), (3, 120), (7, 1920), (8, 3600), (12, 3600)]:
        waits = [backoff_seconds(attempt) for _ in range(200)]
        assert cap / 2 <= min(waits)
        assert max(waits) <= cap
        assert max(waits) - min(waits) > cap / 10  # jittered, not a fixed delay


@pytest.mark.parametrize(
    ("error", "transient"),
    [
        (ConnectionRefusedError(111, "Connection refused"), True),
        (smtplib.SMTPServerDisconnected("gone"), True),
        (TimeoutError("timed out"), True),
        (smtplib.SMTPDataError(451, b"Try again later"), True),
        (smtplib.SMTPDataError(554, b"Message rejected"), False),
        (smtplib.SMTPRecipientsRefused({"a@example.com": (450, b"Mailbox busy")}), True),
        (smtplib.SMTPRecipientsRefused({"a@example.com": (550, b"No such user")}), False),
        (smtplib.SMTPAuthenticationError(535, b"Bad credentials"), True),
        (smtplib.SMTPSenderRefused(553, b"Sender not allowed", "noreply@kinwise.app"), True),
        (KeyError("template variable"), False),
    ],
)
def test_errors_are_classified_transient_or_permanent(error, transient):
    assert is_transient(error) is transient


@pytest.mark.django_db
def test_a_recipient_refused_for_good_fails_at_once_without_retries(
    smtp_server, django_capture_on_commit_callbacks, caplog
):
    smtp_server.refuse.add("nobody@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        row = email_send(to="nobody@example.com", template="test")
    row = EmailOutbox.objects.get(id=row.id)
    assert (row.status, row.attempts) == (EmailStatus.FAILED, 1)
    assert "550" in row.last_error
    assert f"Email {row.id} failed for good" in caplog.text


@pytest.mark.django_db
def test_a_temporary_refusal_is_retried_until_it_succeeds(smtp_server, django_capture_on_commit_callbacks):
    """Tasks run inline here, so the retries follow each other at once; the real-worker test waits."""
    smtp_server.fail_next = 2
    with django_capture_on_commit_callbacks(execute=True):
        row = email_send(to="ann@example.com", template="test")
    row = EmailOutbox.objects.get(id=row.id)
    assert (row.status, row.attempts) == (EmailStatus.SENT, 3)
    assert len(smtp_server.messages) == 1
