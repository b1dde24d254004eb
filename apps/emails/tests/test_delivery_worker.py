"""Delivery through a real worker, a real Redis broker and a real SMTP server."""

import pytest
from django.db import transaction

from apps.emails.models import EmailOutbox, EmailStatus
from apps.emails.services import email_send
from tests.support import html_part, text_part, wait_until

pytestmark = pytest.mark.requires_services


def test_worker_delivers_email_over_smtp(celery_worker, smtp_server):
    with transaction.atomic():
        row = email_send(to="ann@example.com", template="welcome", context={"name": "Ann"})
    [message] = smtp_server.wait_for(1)
    assert message["Subject"] == "Welcome to KinWise!"
    assert message["To"] == "ann@example.com"
    assert "Welcome to KinWise, Ann!" in text_part(message)
    assert "<h1>Welcome to KinWise, Ann!</h1>" in html_part(message)
    wait_until(
        lambda: EmailOutbox.objects.get(id=row.id).status == EmailStatus.SENT, message="row marked sent"
    )
    assert EmailOutbox.objects.count() == 1


def test_worker_sends_one_email_after_another_over_one_smtp_session(celery_worker, smtp_server, settings):
    for name in ("Ann", "Bob", "Cy"):
        with transaction.atomic():
            email_send(to=f"{name.lower()}@example.com", template="welcome", context={"name": name})
        smtp_server.wait_for(len(smtp_server.messages) + 1)
    assert len(smtp_server.sessions) == 1  # no TCP handshake, EHLO and QUIT per email
    wait_until(lambda: set(EmailOutbox.objects.values_list("status", flat=True)) == {EmailStatus.SENT})
