from django.contrib import admin

from apps.audit.models import AuditLog


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin):
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

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]
