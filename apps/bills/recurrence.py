"""Due-date arithmetic for recurring bills.

Monthly and yearly bills keep the day of the month they were first due on (the anchor day) and clamp it to
the length of each month: a bill anchored on the 31st is due Jan 31, Feb 28 (29 in leap years), Mar 31,
Apr 30, ... — it does not drift to the 28th after February.
"""

import calendar
from datetime import date, timedelta

from apps.bills.models import Recurrence


def _clamped(year: int, month: int, anchor_day: int) -> date:
    return date(year, month, min(anchor_day, calendar.monthrange(year, month)[1]))


def add_months(current: date, months: int, anchor_day: int) -> date:
    index = current.year * 12 + (current.month - 1) + months
    return _clamped(index // 12, index % 12 + 1, anchor_day)


def next_due_date(current: date, recurrence: str, anchor_day: int | None = None) -> date | None:
    """The due date after `current`, or None for a one-off bill."""
    anchor_day = anchor_day or current.day
    if recurrence == Recurrence.WEEKLY:
        return current + timedelta(days=7)
    if recurrence == Recurrence.MONTHLY:
        return add_months(current, 1, anchor_day)
    if recurrence == Recurrence.YEARLY:
        return add_months(current, 12, anchor_day)
    return None


def occurrences(first: date, recurrence: str, anchor_day: int, until: date, limit: int = 1000) -> list[date]:
    """Due dates from `first` up to and including `until` (at most `limit` of them)."""
    dates: list[date] = []
    current: date | None = first
    while current is not None and current <= until and len(dates) < limit:
        dates.append(current)
        current = next_due_date(current, recurrence, anchor_day)
    return dates
