from datetime import datetime

from celery import shared_task
from django.db import OperationalError
from django.utils.dateparse import parse_datetime

from apps.bills.services.reminders import bill_reminder_ranges, bill_reminders_send_range
from apps.common import clock
from apps.common.batching import fan_out


def _moment(at: str | None):
    return parse_datetime(at) if at else clock.now()


@shared_task(acks_late=True)
def send_bill_reminders(at: str | None = None) -> dict:
    """Daily (beat: send-bill-reminders-daily). One id range runs inline; more fan out as chunk tasks,
    all judged at the same instant `at` so a chunk that waits in the queue past midnight still agrees."""
    moment = _moment(at)
    return fan_out(
        bill_reminder_ranges(at=moment),
        run=lambda r: bill_reminders_send_range(start_id=r.start, end_id=r.end, at=moment),
        chunk_task=send_bill_reminders_chunk,
        args=(moment.isoformat(),),
    )


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def send_bill_reminders_chunk(start_id: int, end_id: int, at: str) -> int:
    """One id range of the reminder job. Safe to retry and to run twice: claims make it exactly-once."""
    return bill_reminders_send_range(start_id=start_id, end_id=end_id, at=datetime.fromisoformat(at))
