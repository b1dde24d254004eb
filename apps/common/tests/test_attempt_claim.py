"""attempt_claim: the database hands out each try of a one-time secret once, however many requests race."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import Q

from apps.common import clock
from apps.common.one_time_secrets import attempt_claim
from apps.users.models import PasswordReset
from apps.users.tests.factories import UserFactory

THREADS = 16


def reset_row(**fields):
    return PasswordReset.objects.create(
        user=UserFactory(),
        token_hash=f"{fields.pop('tag', 't'):t<64}",
        code_hash="c" * 64,
        expires_at=clock.now() + timedelta(hours=1),
        **fields,
    )


@pytest.mark.django_db
def test_tries_are_numbered_until_the_limit():
    row = reset_row()
    assert [attempt_claim(row) for _ in range(7)] == [1, 2, 3, 4, 5, 0, 0]
    row.refresh_from_db()
    assert row.attempts == PasswordReset.attempt_limit() == 5


@pytest.mark.django_db
def test_a_stale_copy_still_gets_the_next_try():
    row = reset_row()
    stale = PasswordReset.objects.get(pk=row.pk)
    assert attempt_claim(row) == 1
    assert attempt_claim(stale) == 2


@pytest.mark.django_db
def test_a_used_or_replaced_row_or_one_that_is_no_longer_live_gives_no_try():
    used = reset_row(tag="u", used_at=clock.now())
    replaced = reset_row(tag="r", replaced_at=clock.now())
    assert attempt_claim(used) == 0
    assert attempt_claim(replaced) == 0
    assert attempt_claim(reset_row(tag="l"), live=Q(expires_at__lt=clock.now())) == 0
    assert PasswordReset.objects.filter(attempts__gt=0).count() == 0


@pytest.mark.django_db
def test_a_matching_guess_spends_its_try_and_the_row_in_one_statement(django_assert_num_queries):
    row = reset_row()
    now = clock.now()
    with django_assert_num_queries(1):
        assert attempt_claim(row, use_at=now) == 1
    row.refresh_from_db()
    assert (row.attempts, row.used_at) == (1, now)
    assert attempt_claim(row, use_at=now) == 0  # used: nothing more to claim


@pytest.mark.django_db
def test_a_matching_guess_past_the_limit_is_not_honoured():
    row = reset_row(attempts=5)
    assert attempt_claim(row, use_at=clock.now()) == 0
    row.refresh_from_db()
    assert row.used_at is None


@pytest.mark.django_db(transaction=True)
def test_racing_claims_get_each_try_exactly_once():
    row = reset_row()
    barrier = threading.Barrier(THREADS)
    got = [None] * THREADS

    def worker(i):
        try:
            barrier.wait(timeout=30)
            got[i] = attempt_claim(PasswordReset.objects.get(pk=row.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(got) == [0] * (THREADS - 5) + [1, 2, 3, 4, 5], got
