from django.contrib import admin

from apps.households.models import Household, HouseholdInvite, Membership


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Household)
class HouseholdAdmin(admin.ModelAdmin):
    list_display = ["id", "name", "time_zone", "currency", "created_at"]
    search_fields = ["name"]
    ordering = ["-created_at"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["id", "household", "user", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["household__name", "user__email"]
    raw_id_fields = ["household", "user"]


@admin.register(HouseholdInvite)
class HouseholdInviteAdmin(admin.ModelAdmin):
    list_display = ["id", "household", "email", "role", "expires_at", "accepted_at", "revoked_at"]
    list_filter = ["role"]
    search_fields = ["email", "household__name"]
    exclude = ["token_hash"]
    raw_id_fields = ["household", "invited_by", "accepted_by"]

    def has_add_permission(self, request):
        return False
