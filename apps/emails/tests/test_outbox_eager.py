"""Outbox behaviour with tasks run inline; real-worker and broker tests live beside this file."""

import pytest
from django.db import transaction

from apps.emails.models import EmailOutbox, EmailStatus
from apps.emails.services import email_deliver, email_send


@pytest.mark.django_db
def test_email_is_sent_after_commit_with_html_and_text(mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        row = email_send(
            to="a@example.com",
            template="login_otp",
            context={"name": "Ann"},
            secret_context={"otp_code": "424242"},
        )
        assert mailoutbox == []  # nothing leaves before commit
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.subject == "Your KinWise login code"
    assert message.to == ["a@example.com"]
    assert "424242" in message.body
    assert "424242" in message.alternatives[0][0]
    row.refresh_from_db()
    assert row.status == EmailStatus.SENT
    assert row.secret_context is None


@pytest.mark.django_db
def test_rolled_back_transaction_sends_nothing(mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                email_send(to="a@example.com", template="test")
                raise RuntimeError("boom")
        except RuntimeError:
            pass
    assert callbacks == []
    assert mailoutbox == []
    assert not EmailOutbox.objects.exists()


@pytest.mark.django_db
def test_delivering_a_row_twice_sends_once(mailoutbox):
    row = email_send(to="a@example.com", template="test")
    assert email_deliver(outbox_id=row.id).status == "sent"
    assert email_deliver(outbox_id=row.id).status == "skipped"
    assert len(mailoutbox) == 1


@pytest.mark.django_db
def test_secret_context_is_not_stored_in_plaintext():
    row = email_send(to="a@example.com", template="login_otp", secret_context={"otp_code": "987654"})
    stored = EmailOutbox.objects.filter(id=row.id).values_list("context", "secret_context").get()
    assert "987654" not in str(stored)


@pytest.mark.django_db
def test_dedupe_key_queues_only_once():
    assert email_send(to="a@example.com", template="test", dedupe_key="k1") is not None
    assert email_send(to="a@example.com", template="test", dedupe_key="k1") is None
    assert EmailOutbox.objects.count() == 1
