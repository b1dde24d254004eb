from collections.abc import Sequence
from datetime import date
from typing import Any

from django.db import transaction
from django.http import HttpRequest

from apps.audit.models import AuditAction
from apps.audit.services import log_action
from apps.common import clock
from apps.common.enqueue import enqueue_on_commit
from apps.households.selectors import membership_get
from apps.reports.models import Report, ReportStatus
from apps.users.models import User

QUEUE_FAILED = "The report could not be queued (the task broker is unavailable); please request it again."


@transaction.atomic
def report_request(
    *,
    user: User,
    household_id: int,
    kind: str,
    period_start: date,
    period_end: date,
    request: HttpRequest | None = None,
) -> Report:
    """Record a pending report and queue its generation after commit. Any member may ask (a report only
    reads what the member can already read)."""
    membership_get(user=user, household_id=household_id)
    report = Report.objects.create(
        household_id=household_id,
        requested_by=user,
        kind=kind,
        period_start=period_start,
        period_end=period_end,
    )
    log_action(
        user=user,
        action_type=AuditAction.REPORT_REQUESTED,
        description=f"{kind} report requested",
        request=request,
        obj=report,
        metadata={"period": f"{period_start}..{period_end}"},
    )
    enqueue_on_commit("apps.reports.tasks.generate_report", (report.id,), on_failure=_report_queue_failed)
    return report


def _report_queue_failed(messages: Sequence[tuple[Any, ...]]) -> None:
    """No sweeper looks for pending reports: one that could not be queued fails visibly instead of staying
    pending forever."""
    now = clock.now()
    ids = [report_id for (report_id,) in messages]
    Report.objects.filter(id__in=ids, status=ReportStatus.PENDING).update(
        status=ReportStatus.FAILED, failure_reason=QUEUE_FAILED, finished_at=now, updated_at=now
    )
