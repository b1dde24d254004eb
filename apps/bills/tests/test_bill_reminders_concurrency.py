"""Two workers running the reminder job at the same moment still remind each person once."""

import threading
from datetime import UTC, date, datetime

import pytest
from django.db import connection

from apps.bills.models import BillReminder
from apps.bills.tasks import send_bill_reminders
from apps.bills.tests.factories import BillFactory
from apps.emails.models import EmailOutbox
from apps.households.models import Role
from apps.households.tests.factories import MembershipFactory, household_with
from apps.notifications.models import Notification
from apps.users.tests.factories import UserFactory

AT = datetime(2025, 3, 10, 9, 0, tzinfo=UTC)


def run_job():
    result = send_bill_reminders.apply(kwargs={"at": AT.isoformat()})
    assert result.successful(), result.traceback
    return result.result


def run_in_threads(count: int, target) -> list:
    barrier = threading.Barrier(count)
    results, errors = [], []

    def work():
        try:
            barrier.wait()
            results.append(target())
        except Exception as exc:  # surfaced by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return results


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("chunk_size", [500, 7], ids=["inline", "fanned-out"])
def test_concurrent_runs_remind_each_member_exactly_once(settings, mailoutbox, chunk_size):
    settings.BILL_REMINDER_CHUNK_SIZE = chunk_size
    owner, member = UserFactory(), UserFactory()
    home = household_with(owner, Role.OWNER, time_zone="Europe/Paris")
    MembershipFactory(household=home, user=member, role=Role.MEMBER)
    BillFactory.create_batch(20, household=home, due_date=date(2025, 3, 11))

    run_in_threads(4, run_job)

    assert BillReminder.objects.count() == 40
    assert Notification.objects.count() == 40
    assert Notification.objects.values("dedupe_key").distinct().count() == 40
    assert EmailOutbox.objects.count() == 40
    assert len(mailoutbox) == 40
    assert sorted(m.to[0] for m in mailoutbox) == sorted([owner.email] * 20 + [member.email] * 20)


@pytest.mark.django_db(transaction=True)
def test_sequential_rerun_after_concurrent_runs_sends_nothing(mailoutbox):
    home = household_with(UserFactory(), Role.OWNER)
    BillFactory.create_batch(5, household=home, due_date=date(2025, 3, 11))
    run_in_threads(2, run_job)
    assert run_job()["sent"] == 0
    assert len(mailoutbox) == 5
