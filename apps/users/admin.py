from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils import timezone

from apps.common.admin import StatusBadgeMixin, UserEmailMixin
from apps.users.models import EmailVerification, LoginSession, User


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


@admin.register(EmailVerification)
class EmailVerificationAdmin(UserEmailMixin, StatusBadgeMixin, admin.ModelAdmin):
    """Read-only history of issued verifications. The token and code digests are never shown."""

    list_display = [
        "user_email",
        "status_badge",
        "created_at",
        "expires_at",
        "verified_at",
        "failed_attempts",
        "time_since_creation",
        "is_expired_now",
    ]
    list_filter = [
        ("verified_at", admin.EmptyFieldListFilter),
        ("replaced_at", admin.EmptyFieldListFilter),
        "created_at",
        "expires_at",
    ]
    search_fields = ["user__email"]
    list_select_related = ["user"]
    ordering = ["-created_at"]
    date_hierarchy = "created_at"
    fieldsets = (
        ("User", {"fields": ("user",)}),
        (
            "Verification",
            {"fields": ("created_at", "expires_at", "verified_at", "replaced_at", "failed_attempts")},
        ),
        ("Status", {"fields": ("status_badge", "is_verified_now", "is_expired_now")}),
    )
    readonly_fields = [
        "user",
        "created_at",
        "expires_at",
        "verified_at",
        "replaced_at",
        "failed_attempts",
        "status_badge",
        "is_verified_now",
        "is_expired_now",
    ]

    def status_of(self, obj) -> str:
        return obj.status

    @admin.display(description="Age")
    def time_since_creation(self, obj) -> str:
        seconds = (timezone.now() - obj.created_at).total_seconds()
        if seconds < 3600:
            return f"{int(seconds // 60)}m ago"
        if seconds < 86400:
            return f"{int(seconds // 3600)}h ago"
        return f"{int(seconds // 86400)}d ago"

    @admin.display(description="Expired", boolean=True)
    def is_expired_now(self, obj) -> bool:
        return obj.verified_at is None and obj.expires_at <= timezone.now()

    @admin.display(description="Verified", boolean=True)
    def is_verified_now(self, obj) -> bool:
        return obj.verified_at is not None

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser
