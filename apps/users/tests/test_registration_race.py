"""Simultaneous registrations of one address: exactly one account, the rest get the duplicate 400."""

import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from apps.users.models import EmailVerification, User
from apps.users.tests.registration_support import register

THREADS = 8


def _race(emails: list[str]) -> list:
    barrier = threading.Barrier(len(emails))
    results: list = [None] * len(emails)

    def attempt(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            response = register(APIClient(), emails[i], REMOTE_ADDR=f"198.51.100.{i}")
            results[i] = (response.status_code, response.json())
        except Exception as exc:  # surfaced by the assertions below
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(len(emails))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.mark.django_db(transaction=True)
def test_simultaneous_registrations_of_one_email_create_one_user(settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "register_ip": "100/h"}
    emails = ["race@example.com" if i % 2 else "Race@Example.com " for i in range(THREADS)]
    results = _race(emails)
    codes = sorted(r[0] for r in results)
    assert codes == [201] + [400] * (THREADS - 1), results
    assert all(
        body == {"email": ["A user with this email already exists."]} for code, body in results if code == 400
    )
    assert User.objects.filter(email="race@example.com").count() == 1
    assert EmailVerification.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_simultaneous_duplicates_are_hidden_when_enumeration_prevention_is_on(settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "register_ip": "100/h"}
    settings.ACCOUNT_PREVENT_ENUMERATION = True
    results = _race(["race@example.com"] * THREADS)
    assert [r[0] for r in results] == [201] * THREADS, results
    assert len({str(body) for _, body in results}) == 1
    assert User.objects.count() == 1
