"""The daily bill-reminder job.

Exactly once: each (bill, due date, member) reminder is claimed by inserting a BillReminder row under a
unique constraint (INSERT ... ON CONFLICT DO NOTHING RETURNING). The statement returns only the rows it
inserted itself, and a run notifies only those, so a rerun, or a second worker racing this one (its INSERT
waits for ours to commit, then skips the row), finds the rows already claimed and sends nothing. Claim,
notification and outbox email commit in one transaction. Each run's rows still carry its own run_id.

Batched: the dispatcher streams candidate ids and cuts them into id ranges of REMINDER_CHUNK_SIZE; each
range costs a fixed handful of queries whatever its size, and large runs fan out into one task per range.

Local time: a reminder is due when the household's local date is within [due_date - days_before, due_date].
The SQL filter uses a window wide enough for every time zone; the exact test runs per household zone.
"""

import uuid
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet

from apps.bills.models import MAX_REMINDER_DAYS, Bill, BillReminder
from apps.common import clock
from apps.common.batching import IdRange, id_ranges
from apps.common.bulk import insert_rows
from apps.common.currencies import format_amount
from apps.households.models import WRITE_ROLES, Membership
from apps.notifications.models import NotificationKind
from apps.notifications.services import NotificationSpec, notifications_deliver

# Roles that get reminders: the people who pay. Viewers are read-only and are not reminded.
REMINDED_ROLES = WRITE_ROLES


def _window(at: datetime) -> tuple[date, date]:
    """Dates that are 'today' somewhere on Earth at `at` (UTC-12 .. UTC+14), with a day of margin."""
    utc_today = at.astimezone(clock.UTC).date()
    return utc_today - timedelta(days=1), utc_today + timedelta(days=1)


def _candidates(at: datetime) -> QuerySet[Bill]:
    earliest, latest = _window(at)
    return Bill.objects.filter(
        is_paid=False,
        due_date__gte=earliest,
        due_date__lte=latest + timedelta(days=MAX_REMINDER_DAYS),
        remind_from__lte=latest,
    )


def bill_reminder_ranges(*, at: datetime, chunk_size: int | None = None) -> list[IdRange]:
    """Id ranges covering every bill that may need a reminder at `at`, at most chunk_size bills each."""
    return id_ranges(_candidates(at), chunk_size=chunk_size or settings.BILL_REMINDER_CHUNK_SIZE)


@transaction.atomic
def bill_reminders_send_range(*, start_id: int, end_id: int, at: datetime) -> int:
    """Send the reminders due at `at` for bills with ids in [start_id, end_id]. Returns how many were sent
    by this call (0 when another run got there first)."""
    fields = ("id", "household_id", "name", "amount", "currency", "due_date", "remind_from", "payee")
    rows = (
        _candidates(at)
        .filter(id__gte=start_id, id__lte=end_id)
        .order_by("id")
        .values_list(*fields, "household__time_zone", "household__name")
    )
    today_by_zone: dict[str, date] = {}
    due = []
    for row in rows:
        time_zone = row[-2]
        if time_zone not in today_by_zone:
            today_by_zone[time_zone] = clock.today_in(time_zone, at)
        today = today_by_zone[time_zone]
        if row[6] <= today <= row[5]:
            due.append((row, today))
    if not due:
        return 0

    members: dict[int, list[list[Any]]] = {}
    member_rows = (
        Membership.objects.filter(
            household_id__in={row[1] for row, _ in due}, role__in=REMINDED_ROLES, user__is_active=True
        )
        .order_by("household_id", "user_id")
        .values_list("household_id", "user_id", "user__email", "user__first_name")
    )
    for household_id, *member in member_rows:
        members.setdefault(household_id, []).append(member)

    claimed = set(
        insert_rows(
            BillReminder,
            ("bill_id", "due_date", "user_id"),
            ((row[0], row[5], user_id) for row, _ in due for user_id, *_ in members.get(row[1], [])),
            values={"run_id": uuid.uuid4()},
            ignore_conflicts=True,
            returning=("bill_id", "user_id"),
            batch_size=1000,
        )
    )
    if not claimed:
        return 0

    specs = []
    for row, today in due:
        bill_id, household_id, name, amount, currency, due_date, _, payee, _, household_name = row
        due_phrase = _due_phrase(due_date, today)
        amount = format_amount(amount, currency)
        for user_id, email, first_name in members.get(household_id, []):
            if (bill_id, user_id) not in claimed:
                continue
            specs.append(
                NotificationSpec(
                    user_id=user_id,
                    email=email,
                    kind=NotificationKind.BILL_REMINDER,
                    title=f"{name} is due {due_phrase}",
                    body=f"{amount} {currency} due on {due_date.isoformat()} ({household_name}).",
                    link=f"/bills/{bill_id}",
                    household_id=household_id,
                    dedupe_key=f"bill_reminder:{bill_id}:{due_date.isoformat()}:{user_id}",
                    email_context={
                        "name": first_name or email,
                        "bill_name": name,
                        "amount": amount,
                        "currency": currency,
                        "due_date": due_date.isoformat(),
                        "due_phrase": due_phrase,
                        "payee": payee,
                        "household_name": household_name,
                    },
                )
            )
    notifications_deliver(specs)
    return len(specs)


def _due_phrase(due_date: date, today: date) -> str:
    days = (due_date - today).days
    if days == 0:
        return "today"
    if days == 1:
        return "tomorrow"
    return f"in {days} days"
