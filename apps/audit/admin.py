from django.contrib import admin

from apps.audit.models import AuditLog
from apps.common.admin import ReadOnlyAdminMixin


@admin.register(AuditLog)
class AuditLogAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    deletable = False  # the record of who did what stays
    list_display = [
        "timestamp",
        "action_type",
        "actor",
        "ip_address",
        "object_type",
        "object_id",
        "description",
    ]
    list_filter = ["action_type", ("timestamp", admin.DateFieldListFilter)]
    search_fields = ["actor__email", "ip_address", "description", "object_id"]
    date_hierarchy = "timestamp"
    list_select_related = ["actor"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]
