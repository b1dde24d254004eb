"""One code, many simultaneous verifications: exactly one login, on SQLite and on Postgres."""

import threading

import pytest
from django.db import connection

from apps.users.models import LoginSession
from apps.users.tests.factories import UserFactory
from apps.users.tests.otp_helpers import fresh_code, verify_code, wrong
from conftest import CommitAwareAPIClient

THREADS = 24


def hammer(email, codes):
    """POST every code at the same moment, one thread and one client each; return the status codes."""
    barrier = threading.Barrier(len(codes))
    statuses = [None] * len(codes)

    def worker(i, code):
        client = CommitAwareAPIClient()
        try:
            barrier.wait(timeout=30)
            statuses[i] = verify_code(client, email, code).status_code
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, code)) for i, code in enumerate(codes)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return statuses


@pytest.fixture
def open_limits(settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "otp_verify_ip": "1000/m", "otp_verify_email": "1000/m"}


@pytest.mark.django_db(transaction=True)
def test_one_code_submitted_in_parallel_logs_in_exactly_once(api_client, mailoutbox, open_limits):
    user = UserFactory()
    code = fresh_code(api_client, mailoutbox, user.email)
    statuses = hammer(user.email, [code] * THREADS)
    assert sorted(statuses) == [200] + [400] * (THREADS - 1), statuses
    assert LoginSession.objects.filter(user=user).count() == 1


@pytest.mark.django_db(transaction=True)
def test_parallel_wrong_guesses_never_give_a_code_more_than_five_tries(api_client, mailoutbox, open_limits):
    """Twenty wrong guesses and the right code race; the right one wins only if it is among the first five."""
    user = UserFactory()
    code = fresh_code(api_client, mailoutbox, user.email)
    statuses = hammer(user.email, [wrong(code)] * 20)
    assert statuses == [400] * 20
    assert verify_code(api_client, user.email, code).status_code == 400  # five tries were spent
