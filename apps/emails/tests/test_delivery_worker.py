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
