from celery import shared_task

from apps.reports.services import report_generate
from apps.reports.services.housekeeping import reports_purge_old


@shared_task(acks_late=True)
def generate_report(report_id: int) -> str:
    """Receives only the report id; claiming makes a redelivered message harmless."""
    return report_generate(report_id=report_id)


@shared_task
def purge_old_reports(days: int = 30) -> int:
    """Delete reports (and their CSV) finished more than `days` ago."""
    return reports_purge_old(days=days)
