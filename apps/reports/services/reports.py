import logging
from datetime import date

from django.db import transaction
from django.http import HttpRequest

from apps.audit.models import AuditAction
from apps.audit.services import log_action
from apps.common import clock
from apps.households.selectors import membership_get
from apps.reports.models import Report, ReportStatus
from apps.users.models import User

logger = logging.getLogger(__name__)

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
        object_type="report",
        object_id=report.id,
        metadata={"household_id": household_id, "period": f"{period_start}..{period_end}"},
    )
    transaction.on_commit(lambda: report_enqueue(report_id=report.id))
    return report


def report_enqueue(*, report_id: int) -> bool:
    """Publish the generation task. If the broker is down the report fails visibly instead of staying
    pending forever."""
    # the task module imports this one (its task calls the service): imported when enqueueing
    from apps.reports.tasks import generate_report

    try:
        generate_report.apply_async(args=(report_id,))
        return True
    except Exception:
        logger.warning("Broker unreachable; report %s marked failed", report_id, exc_info=True)
        now = clock.now()
        Report.objects.filter(id=report_id, status=ReportStatus.PENDING).update(
            status=ReportStatus.FAILED, failure_reason=QUEUE_FAILED, finished_at=now, updated_at=now
        )
        return False
