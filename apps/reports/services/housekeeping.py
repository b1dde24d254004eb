from datetime import timedelta

from apps.common import clock
from apps.reports.models import Report


def reports_purge_old(*, days: int = 30) -> int:
    deleted, _ = Report.objects.filter(finished_at__lt=clock.now() - timedelta(days=days)).delete()
    return deleted
