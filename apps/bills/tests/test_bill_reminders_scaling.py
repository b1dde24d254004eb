"""Query count of the reminder job grows with N / chunk size, not with N."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.bills.models import Bill
from apps.bills.tasks import send_bill_reminders
from apps.households.models import Household, Membership, Role
from apps.notifications.models import Notification
from apps.users.models import User

pytestmark = pytest.mark.django_db
AT = datetime(2025, 3, 10, 9, 0, tzinfo=UTC)


def seed(n: int, due: date, households: int = 10) -> None:
    users = User.objects.bulk_create(
        [User(email=f"scale{n}-{i}@example.com", email_verified=True) for i in range(households)]
    )
    homes = Household.objects.bulk_create(
        [Household(name=f"H{i}", time_zone=("Europe/Berlin", "Asia/Tokyo")[i % 2]) for i in range(households)]
    )
    Membership.objects.bulk_create(
        [Membership(household=h, user=u, role=Role.OWNER) for h, u in zip(homes, users, strict=True)]
    )
    Bill.objects.bulk_create(
        [
            Bill(
                household=homes[i % households],
                name=f"Bill {i}",
                amount=Decimal("10.00"),
                currency="EUR",
                due_date=due,
                anchor_day=due.day,
                reminder_days_before=2,
                remind_from=due - timedelta(days=2),
            )
            for i in range(n)
        ]
    )


def queries_for_run(at: datetime) -> int:
    with CaptureQueriesContext(connection) as captured:
        send_bill_reminders.apply(kwargs={"at": at.isoformat()}).get()
    return len(captured)


def test_query_count_for_1000_bills_is_within_a_small_constant_of_100(settings):
    settings.BILL_REMINDER_CHUNK_SIZE = 500
    seed(100, due=date(2025, 3, 11))
    small = queries_for_run(AT)
    assert Notification.objects.count() == 100

    seed(1000, due=date(2025, 6, 11))  # a month later, so the first 100 are not candidates any more
    large = queries_for_run(AT + timedelta(days=92))
    assert Notification.objects.count() == 1100

    # 1000 bills are two chunks of 500 instead of one: a fixed cost per chunk plus one INSERT per batch
    # (SQLite allows 999 parameters per statement, so its batches are ~100 rows), nowhere near 900 more.
    assert large <= small + 40, (small, large)
