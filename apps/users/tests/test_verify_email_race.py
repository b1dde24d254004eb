"""The same link submitted in parallel verifies once: one welcome email, one audit row. Parallel guesses at
the code never get more than its five tries."""

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
    verification_code,
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


def in_parallel(calls) -> list:
    """Run every call at the same moment, one thread each; return their results."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[i] = calls[i]()
        except Exception as exc:
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.mark.django_db(transaction=True)
def test_parallel_guesses_at_the_code_get_five_tries_in_all(mailoutbox, settings):
    """Sixteen wrong codes race; the right code afterwards finds the tries spent, and the link still works."""
    settings.RATE_LIMITS = {
        **settings.RATE_LIMITS,
        "verify_email_ip": "1000/m",
        "verify_email_email": "1000/m",
    }
    email = "guess@example.com"
    assert register(APIClient(), email).status_code == 201
    [message] = sent_to(mailoutbox, email, VERIFY_SUBJECT)
    right = verification_code(message.body)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"

    def guess(code):
        return lambda: APIClient().post(VERIFY, {"email": email, "code": code}, format="json").status_code

    assert in_parallel([guess(wrong)] * 16) == [400] * 16
    response = APIClient().post(VERIFY, {"email": email, "code": right}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "too_many_attempts"
    assert not User.objects.get(email=email).email_verified
    assert APIClient().get(VERIFY, {"token": link_token(message.body)}).status_code == 200
