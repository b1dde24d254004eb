from django.contrib import admin

from apps.notifications.models import Notification, NotificationPreference


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["id", "user", "kind", "title", "read_at", "created_at"]
    list_filter = ["kind", ("read_at", admin.EmptyFieldListFilter)]
    search_fields = ["user__email", "title"]
    raw_id_fields = ["user", "household"]
    date_hierarchy = "created_at"


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["id", "user", "kind", "email", "in_app"]
    list_filter = ["kind", "email", "in_app"]
    search_fields = ["user__email"]
    raw_id_fields = ["user"]
