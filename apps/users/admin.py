from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import transaction
from django.db.models import Exists, OuterRef, Q

from apps.common import clock
from apps.common.admin import ReadOnlyAdminMixin, StatusBadgeMixin, UserEmailMixin
from apps.users.auth.services.passwords import password_set_by_staff
from apps.users.auth.services.sessions import sessions_revoke_by_staff
from apps.users.models import (
    EmailChange,
    EmailOTP,
    EmailVerification,
    LoginSession,
    PasswordReset,
    User,
)


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
    list_filter = [
        "role",
        "is_active",
        "email_verified",
        "is_staff",
        ("deleted_at", admin.EmptyFieldListFilter),
        "created_at",
    ]
    search_fields = ["email", "first_name", "last_name"]
    readonly_fields = ["created_at", "updated_at", "last_login", "deleted_at"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Profile", {"fields": ("first_name", "last_name", "role")}),
        ("Status", {"fields": ("is_active", "email_verified", "is_staff", "is_superuser", "deleted_at")}),
        ("Permissions", {"fields": ("groups", "user_permissions")}),
        ("Dates", {"fields": ("last_login", "created_at", "updated_at")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)

    def user_change_password(self, request, id, form_url=""):  # noqa: A002 — Django's signature
        """Django's set-password page, plus what the owner's own change does: every session ends."""
        with transaction.atomic():
            response = super().user_change_password(request, id, form_url)
            target = self.get_object(request, id)
            if target is not None and request.method == "POST" and response.status_code == 302:  # form saved
                password_set_by_staff(user=target, staff=request.user, request=request)
        return response


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

    actions = ["revoke_sessions"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # a deleted row leaves its access tokens alive: revoke instead

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields if f.name != "current_jti"]

    @admin.action(description="Sign out the selected sessions", permissions=["change"])
    def revoke_sessions(self, request, queryset):
        revoked = sessions_revoke_by_staff(
            staff=request.user, session_ids=queryset.values_list("id", flat=True), request=request
        )
        self.message_user(request, f"{revoked} session(s) signed out.", messages.SUCCESS)


@admin.register(EmailVerification)
class EmailVerificationAdmin(ReadOnlyAdminMixin, UserEmailMixin, StatusBadgeMixin, admin.ModelAdmin):
    """Read-only history of issued verifications. The token and code digests are never shown."""

    list_display = [
        "user_email",
        "status_badge",
        "created_at",
        "expires_at",
        "verified_at",
        "attempts",
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
            {"fields": ("created_at", "expires_at", "verified_at", "replaced_at", "attempts")},
        ),
        ("Status", {"fields": ("status_badge", "is_verified_now", "is_expired_now")}),
    )
    readonly_fields = [
        "user",
        "created_at",
        "expires_at",
        "verified_at",
        "replaced_at",
        "attempts",
        "status_badge",
        "is_verified_now",
        "is_expired_now",
    ]

    def status_of(self, obj) -> str:
        return obj.status

    @admin.display(description="Age")
    def time_since_creation(self, obj) -> str:
        seconds = (clock.now() - obj.created_at).total_seconds()
        if seconds < 3600:
            return f"{int(seconds // 60)}m ago"
        if seconds < 86400:
            return f"{int(seconds // 3600)}h ago"
        return f"{int(seconds // 86400)}d ago"

    @admin.display(description="Expired", boolean=True)
    def is_expired_now(self, obj) -> bool:
        return obj.verified_at is None and obj.expires_at <= clock.now()

    @admin.display(description="Verified", boolean=True)
    def is_verified_now(self, obj) -> bool:
        return obj.verified_at is not None


class OtpStatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [(label.lower(), label) for label in ("Valid", "Used", "Expired", "Locked", "Replaced")]

    def queryset(self, request, queryset):
        now = clock.now()
        locked = Q(attempts__gte=EmailOTP.attempt_limit())
        unused = Q(used_at__isnull=True)
        filters = {
            "used": ~unused,
            "locked": unused & locked,
            "expired": unused & ~locked & Q(expires_at__lte=now),
            "replaced": unused & ~locked & Q(expires_at__gt=now, is_replaced=True),
            "valid": unused & ~locked & Q(expires_at__gt=now, is_replaced=False),
        }
        value = self.value()
        return queryset.filter(filters[value]) if value in filters else queryset


@admin.register(EmailOTP)
class EmailOTPAdmin(ReadOnlyAdminMixin, UserEmailMixin, StatusBadgeMixin, admin.ModelAdmin):
    """Login codes, for support and abuse investigations. The code is never stored, so never shown."""

    list_display = [
        "user_email",
        "status_badge",
        "created_at",
        "expires_at",
        "time_until_expiry",
        "attempts",
        "ip_address",
    ]
    list_filter = [OtpStatusFilter, "created_at", ("expires_at", admin.DateFieldListFilter)]
    search_fields = ["user__email", "ip_address"]
    list_select_related = ["user"]
    ordering = ["-created_at"]
    date_hierarchy = "created_at"
    fieldsets = (
        ("OTP", {"fields": ("user", "status_badge", "attempts", "used_at")}),
        ("Timing", {"fields": ("created_at", "updated_at", "expires_at", "time_until_expiry")}),
        ("Security", {"fields": ("ip_address",)}),
    )

    def get_queryset(self, request):
        newer = EmailOTP.objects.filter(user_id=OuterRef("user_id"), id__gt=OuterRef("id"))
        return super().get_queryset(request).annotate(is_replaced=Exists(newer))

    def get_readonly_fields(self, request, obj=None):
        return [
            "user",
            "status_badge",
            "attempts",
            "used_at",
            "created_at",
            "updated_at",
            "expires_at",
            "time_until_expiry",
            "ip_address",
        ]

    def status_of(self, obj) -> str:
        if obj.used_at:
            return "Used"
        if obj.is_spent:
            return "Locked"
        if obj.expires_at <= clock.now():
            return "Expired"
        if getattr(obj, "is_replaced", False):
            return "Replaced"
        return "Valid"

    @admin.display(description="Time left")
    def time_until_expiry(self, obj) -> str:
        if obj.used_at:
            return "Used"
        seconds = int((obj.expires_at - clock.now()).total_seconds())
        if seconds <= 0:
            return "Expired"
        return f"{seconds // 60}m {seconds % 60}s"


class _EmailedSecretAdmin(ReadOnlyAdminMixin, UserEmailMixin, StatusBadgeMixin, admin.ModelAdmin):
    """Read-only history of emailed link+code rows. The token and code hashes are never shown."""

    search_fields = ["user__email"]
    list_select_related = ["user"]
    ordering = ["-created_at"]
    date_hierarchy = "created_at"

    def get_fields(self, request, obj=None):
        return [f for f in self.list_display if f != "user_email"] + ["user", "replaced_at", "updated_at"]

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    def status_of(self, obj) -> str:
        if obj.is_used:
            return "Used"
        if obj.replaced_at:
            return "Replaced"
        if obj.is_expired:
            return "Expired"
        if obj.is_spent:
            return "Locked"  # the code is; the link still works
        return "Pending"


@admin.register(PasswordReset)
class PasswordResetAdmin(_EmailedSecretAdmin):
    list_display = [
        "user_email",
        "status_badge",
        "created_at",
        "expires_at",
        "used_at",
        "attempts",
        "ip_address",
    ]
    list_filter = [("used_at", admin.EmptyFieldListFilter), "created_at"]
    search_fields = ["user__email", "ip_address"]


@admin.register(EmailChange)
class EmailChangeAdmin(_EmailedSecretAdmin):
    list_display = [
        "user_email",
        "new_email",
        "status_badge",
        "created_at",
        "expires_at",
        "new_confirmed_at",
        "old_confirmed_at",
        "confirmed_at",
        "attempts",
        "old_code_attempts",
    ]
    list_filter = [("confirmed_at", admin.EmptyFieldListFilter), "created_at"]
    search_fields = ["user__email", "new_email"]

    def get_fields(self, request, obj=None):
        return [*super().get_fields(request, obj), "session", "voided_at", "void_reason", "cancelled_at"]

    def status_of(self, obj) -> str:
        if obj.voided_at and not obj.confirmed_at:
            return "Void"
        return super().status_of(obj)
