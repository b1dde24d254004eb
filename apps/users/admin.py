from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from apps.users.models import LoginSession, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["-created_at"]
    list_display = [
        "email",
        "first_name",
        "last_name",
        "role",
        "is_active",
        "email_verified",
        "created_at",
    ]
    list_filter = ["role", "is_active", "email_verified", "is_staff", "created_at"]
    search_fields = ["email", "first_name", "last_name"]
    readonly_fields = ["created_at", "updated_at", "last_login"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Profile", {"fields": ("first_name", "last_name", "role")}),
        ("Status", {"fields": ("is_active", "email_verified", "is_staff", "is_superuser")}),
        ("Permissions", {"fields": ("groups", "user_permissions")}),
        ("Dates", {"fields": ("last_login", "created_at", "updated_at")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


@admin.register(LoginSession)
class LoginSessionAdmin(admin.ModelAdmin):
    list_display = [
        "user",
        "method",
        "created_at",
        "last_used_at",
        "ip_address",
        "revoked_at",
        "revoked_reason",
    ]
    list_filter = ["method", "revoked_reason", ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["user__email", "ip_address"]
    exclude = ["current_jti"]
    list_select_related = ["user"]

    def has_add_permission(self, request):
        return False

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields if f.name != "current_jti"]
