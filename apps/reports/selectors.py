from typing import Any

from django.db.models import QuerySet

from apps.households.selectors import scoped, scoped_get
from apps.reports.models import Report
from apps.users.models import User


def report_list(*, user: User, filters: dict[str, Any] | None = None) -> QuerySet[Report]:
    filters = filters or {}
    reports = scoped(Report.objects.all(), user=user, household_id=filters.get("household"))
    if filters.get("status"):
        reports = reports.filter(status=filters["status"])
    return reports.defer("content").order_by("-created_at", "-id")


def report_get(*, user: User, report_id: int, with_content: bool = False) -> Report:
    queryset = Report.objects.all() if with_content else Report.objects.defer("content")
    return scoped_get(queryset, user=user, pk=report_id)
