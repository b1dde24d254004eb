"""Building a report in a worker: claim it with one conditional UPDATE, build, store, or record why not."""

import logging
from datetime import timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q

from apps.common import clock
from apps.notifications.models import NotificationKind
from apps.notifications.services import NotificationSpec, notifications_deliver
from apps.reports.models import Report, ReportStatus
from apps.reports.services.csv_builder import ReportTooLarge, build_csv

logger = logging.getLogger(__name__)

TOO_SLOW = "The report took too long to build; choose a shorter period."


def _stale_after() -> timedelta:
    """A 'running' report older than the hard task time limit belongs to a worker that died; a redelivered
    task may take it over. Younger ones are left alone, so a duplicate delivery never builds twice."""
    return timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)


def _claim(report_id: int) -> bool:
    now = clock.now()
    claimable = Q(status=ReportStatus.PENDING) | Q(
        status=ReportStatus.RUNNING, started_at__lt=now - _stale_after()
    )
    return bool(
        Report.objects.filter(claimable, id=report_id).update(
            status=ReportStatus.RUNNING,
            started_at=now,
            progress=0,
            attempts=F("attempts") + 1,
            failure_reason="",
            updated_at=now,
        )
    )


def _fail(report_id: int, reason: str) -> None:
    now = clock.now()
    Report.objects.filter(id=report_id, status=ReportStatus.RUNNING).update(
        status=ReportStatus.FAILED, failure_reason=reason[:500], finished_at=now, updated_at=now
    )


def _set_progress(report_id: int, percent: int) -> None:
    Report.objects.filter(id=report_id, status=ReportStatus.RUNNING).update(
        progress=percent, updated_at=clock.now()
    )


def report_generate(*, report_id: int) -> str:
    """Build one report if nobody else is. Returns 'succeeded', 'failed' or 'skipped'."""
    if not _claim(report_id):
        return "skipped"
    report = Report.objects.select_related("household", "requested_by").defer("content").get(id=report_id)
    today = clock.today_in(report.household.time_zone)
    try:
        content, rows = build_csv(
            report,
            today=today,
            max_rows=settings.REPORT_MAX_ROWS,
            on_progress=lambda percent: _set_progress(report_id, percent),
        )
    except ReportTooLarge as exc:
        _fail(report_id, str(exc))
        return "failed"
    except SoftTimeLimitExceeded:
        _fail(report_id, TOO_SLOW)
        return "failed"
    except Exception as exc:
        logger.exception("Report %s failed", report_id)
        _fail(
            report_id, f"Internal error while building the report ({type(exc).__name__}); please try again."
        )
        return "failed"

    now = clock.now()
    with transaction.atomic():
        stored = Report.objects.filter(id=report_id, status=ReportStatus.RUNNING).update(
            status=ReportStatus.SUCCEEDED,
            progress=100,
            content=content,
            row_count=rows,
            finished_at=now,
            updated_at=now,
        )
        if stored and report.requested_by_id:
            _notify_ready(report)
    return "succeeded" if stored else "skipped"


def _notify_ready(report: Report) -> None:
    user = report.requested_by
    if user is None:  # the account was deleted while the report was being made: nobody to tell
        return
    notifications_deliver(
        [
            NotificationSpec(
                user_id=user.id,
                email=user.email,
                kind=NotificationKind.REPORT_READY,
                title="Your report is ready",
                body=f"{report.get_kind_display()} for {report.period_start} to {report.period_end}.",
                link=f"/reports/{report.id}",
                household_id=report.household_id,
                dedupe_key=f"report_ready:{report.id}",
                email_context={
                    "name": user.first_name or user.email,
                    "kind": report.get_kind_display(),
                    "period_start": report.period_start.isoformat(),
                    "period_end": report.period_end.isoformat(),
                    "household_name": report.household.name,
                },
            )
        ]
    )
