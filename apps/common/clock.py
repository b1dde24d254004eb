"""The one clock that time-dependent domain code reads, so tests can move it (see the `clock` fixture).

Like Django's token generator `_now()` hook: production reads timezone.now(); tests shift it by an offset.
"""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

__all__ = ["UTC", "advance", "now", "reset", "set_now", "today_in"]

_offset = timedelta(0)


def now() -> datetime:
    return timezone.now() + _offset


def today_in(time_zone: str, at: datetime | None = None) -> date:
    """The calendar date at `at` (default: now) in the IANA zone `time_zone`."""
    return (at or now()).astimezone(ZoneInfo(time_zone)).date()


def advance(delta: timedelta) -> None:
    global _offset
    _offset += delta


def set_now(moment: datetime) -> None:
    global _offset
    _offset = moment - timezone.now()


def reset() -> None:
    global _offset
    _offset = timedelta(0)
