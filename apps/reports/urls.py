from django.urls import path

from apps.common import converters  # noqa: F401 — registers <id:>
from apps.reports import apis

urlpatterns = [
    path("reports/", apis.ReportListApi.as_view(), name="report-list"),
    path("reports/<id:report_id>/", apis.ReportDetailApi.as_view(), name="report-detail"),
    path("reports/<id:report_id>/download/", apis.ReportDownloadApi.as_view(), name="report-download"),
]
