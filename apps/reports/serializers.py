from django.conf import settings
from django.urls import reverse
from rest_framework import serializers

from apps.common.fields import BoundedDateField
from apps.common.serializers import InputSerializer
from apps.households.serializers import HouseholdFilterSerializer, MemberHouseholdField
from apps.reports.models import Report, ReportKind, ReportStatus


class ReportRequestSerializer(InputSerializer):
    household = MemberHouseholdField()
    kind = serializers.ChoiceField(choices=ReportKind.choices, default=ReportKind.SUMMARY)
    period_start = BoundedDateField()
    period_end = BoundedDateField()

    def validate(self, attrs):
        start, end = attrs["period_start"], attrs["period_end"]
        if end < start:
            raise serializers.ValidationError({"period_end": ["Must be on or after period_start."]})
        if (end - start).days + 1 > settings.REPORT_MAX_DAYS:
            raise serializers.ValidationError(
                {"period_end": [f"A report covers at most {settings.REPORT_MAX_DAYS} days."]}
            )
        return attrs


class ReportSerializer(serializers.ModelSerializer):
    household = serializers.IntegerField(source="household_id")
    download_url = serializers.SerializerMethodField(help_text="Set once the report has succeeded.")

    class Meta:
        model = Report
        fields = [
            "id",
            "household",
            "kind",
            "period_start",
            "period_end",
            "status",
            "progress",
            "failure_reason",
            "row_count",
            "download_url",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields

    def get_download_url(self, obj) -> str | None:
        if obj.status != ReportStatus.SUCCEEDED:
            return None
        path = reverse("report-download", kwargs={"report_id": obj.id})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class ReportFilterSerializer(HouseholdFilterSerializer):
    status = serializers.ChoiceField(choices=ReportStatus.choices, required=False)
