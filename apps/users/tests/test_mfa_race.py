"""One challenge answered many times at once, with one valid code: exactly one login."""

import threading
from datetime import timedelta

import pytest
from django.db import connection

from apps.users.models import LoginSession
from apps.users.tests.factories import UserFactory
from apps.users.tests.mfa_helpers import answer, enable_mfa, password_login, totp_code
from conftest import CommitAwareAPIClient

THREADS = 20


@pytest.mark.django_db(transaction=True)
def test_one_challenge_answered_in_parallel_logs_in_exactly_once(password, settings, clock):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "mfa_verify_ip": "1000/m"}
    user = UserFactory(password=password)
    client = CommitAwareAPIClient()
    access = password_login(client, user.email, password).json()["access"]
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    secret, _ = enable_mfa(client)
    clock.advance(timedelta(seconds=30))
    token = password_login(CommitAwareAPIClient(), user.email, password).json()["mfa_token"]
    code = totp_code(secret)

    barrier = threading.Barrier(THREADS)
    statuses = []

    def worker():
        try:
            barrier.wait(timeout=30)
            statuses.append(answer(token, code=code).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert statuses.count(200) == 1, statuses
    assert set(statuses) <= {200, 400, 401}
    assert LoginSession.objects.filter(user=user).count() == 2  # the enrolling login and this one
