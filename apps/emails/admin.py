from django.contrib import admin

from apps.common.admin import ReadOnlyAdminMixin
from apps.emails.models import EmailOutbox


@admin.register(EmailOutbox)
class EmailOutboxAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["id", "to", "template", "status", "attempts", "created_at", "sent_at", "short_error"]
    list_filter = ["status", "template", ("created_at", admin.DateFieldListFilter)]
    search_fields = ["to", "last_error"]
    exclude = ["secret_context"]
    date_hierarchy = "created_at"

    @admin.display(description="Last error")
    def short_error(self, obj):
        return obj.last_error[:80]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields if f.name != "secret_context"]
