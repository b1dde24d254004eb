from django.contrib import admin

from apps.reports.models import Report


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "household",
        "kind",
        "period_start",
        "period_end",
        "status",
        "progress",
        "created_at",
    ]
    list_filter = ["status", "kind"]
    search_fields = ["household__name", "requested_by__email"]
    raw_id_fields = ["household", "requested_by"]
    exclude = ["content"]  # household financial data: download through the API, as a member
    readonly_fields = [
        "status",
        "progress",
        "failure_reason",
        "attempts",
        "started_at",
        "finished_at",
        "row_count",
    ]

    def has_add_permission(self, request):
        return False
