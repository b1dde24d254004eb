"""The same link submitted in parallel verifies once: one welcome email, one audit row."""

import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from apps.audit.models import AuditAction, AuditLog
from apps.users.models import User
from apps.users.tests.registration_support import (
    VERIFY,
    VERIFY_SUBJECT,
    WELCOME_SUBJECT,
    link_token,
    register,
    sent_to,
)

THREADS = 8


@pytest.mark.django_db(transaction=True)
def test_parallel_clicks_on_one_link_verify_once(mailoutbox, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "verify_email_ip": "100/m"}
    assert register(APIClient(), "race@example.com").status_code == 201
    [message] = sent_to(mailoutbox, "race@example.com", VERIFY_SUBJECT)
    token = link_token(message.body)
    barrier = threading.Barrier(THREADS)
    results: list = [None] * THREADS

    def click(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            response = APIClient().get(VERIFY, {"token": token})
            results[i] = (response.status_code, response.json()["message"])
        except Exception as exc:
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=click, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(results) == sorted(
        [(200, "Email verified successfully")] + [(200, "Email already verified")] * (THREADS - 1)
    ), results
    assert User.objects.get(email="race@example.com").email_verified
    assert len(sent_to(mailoutbox, "race@example.com", WELCOME_SUBJECT)) == 1
    assert AuditLog.objects.filter(action_type=AuditAction.EMAIL_VERIFIED).count() == 1
