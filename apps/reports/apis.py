from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.common.exceptions import Conflict
from apps.common.pagination import list_schema, paginated_response, query_filters
from apps.common.schema import errors
from apps.common.serializers import validated_body
from apps.common.throttles import PostThrottledMixin, UserRateThrottle, throttle
from apps.reports import selectors, services
from apps.reports.models import ReportStatus
from apps.reports.serializers import ReportFilterSerializer, ReportRequestSerializer, ReportSerializer

TAGS = ["reports"]


class ReportListApi(PostThrottledMixin, APIView):
    throttle_classes = [throttle("report_request_user", UserRateThrottle)]

    @list_schema(
        ReportSerializer,
        filters=ReportFilterSerializer,
        statuses=(400, 401),
        tags=TAGS,
        summary="Reports of your households, newest first",
        operation_id="v1_reports_list",
    )
    def get(self, request):
        reports = selectors.report_list(
            user=request.user, filters=query_filters(request, ReportFilterSerializer)
        )
        return paginated_response(
            request=request, view=self, queryset=reports, serializer_class=ReportSerializer
        )

    @extend_schema(
        request=ReportRequestSerializer,
        responses={202: ReportSerializer, **errors(400, 401, 429)},
        tags=TAGS,
        summary="Ask for a CSV report; it is built in the background",
        description="Answers 202 with the report (status pending). Poll GET /reports/{id}/ for status and "
        "progress; download_url appears when it has succeeded. Kinds: summary (bills due and paid, payments, "
        "goal progress), bills, goals.",
    )
    def post(self, request):
        fields = validated_body(request, ReportRequestSerializer, request=request)
        report = services.report_request(
            user=request.user, household_id=fields.pop("household"), **fields, request=request
        )
        report.refresh_from_db(fields=["status", "progress", "failure_reason", "started_at", "finished_at"])
        body = ReportSerializer(report, context={"request": request}).data
        return Response(body, status=status.HTTP_202_ACCEPTED)


class ReportDetailApi(APIView):
    @extend_schema(
        responses={200: ReportSerializer, **errors(401, 404)},
        tags=TAGS,
        summary="A report's status, progress, failure reason and (when done) download link",
    )
    def get(self, request, report_id: int):
        report = selectors.report_get(user=request.user, report_id=report_id)
        return Response(ReportSerializer(report, context={"request": request}).data)


class ReportDownloadApi(APIView):
    @extend_schema(
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="The report as CSV."),
            **errors(401, 404, 409),
        },
        tags=TAGS,
        summary="Download a finished report (CSV)",
    )
    def get(self, request, report_id: int):
        report = selectors.report_get(user=request.user, report_id=report_id, with_content=True)
        if report.status != ReportStatus.SUCCEEDED:
            raise Conflict(f"The report is {report.status}, not ready to download.", code="report_not_ready")
        response = HttpResponse(report.content, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{report.filename}"'
        response["Cache-Control"] = "private, no-store"
        response["X-Content-Type-Options"] = "nosniff"
        return response
