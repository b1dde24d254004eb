"""Admin helpers: the read-only mixin for rows only services write, and the columns shared by every model
that belongs to a user and has a lifecycle status.

Use them as mixins so `list_display` can name the columns as strings, as the plan does:

    class EmailVerificationAdmin(UserEmailMixin, StatusBadgeMixin, admin.ModelAdmin):
        list_display = ["user_email", "status_badge", ...]
        list_select_related = ["user"]

        def status_of(self, obj) -> str:
            return "Verified" if obj.verified_at else "Pending"
"""

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

BADGE_COLORS = {
    "Valid": "green",
    "Verified": "green",
    "Pending": "orange",
    "Expired": "red",
    "Locked": "red",
    "Used": "gray",
    "Replaced": "gray",
}


def status_badge_html(label: str, color: str | None = None) -> str:
    """A coloured pill for a status label; unknown labels are gray. The label is escaped."""
    return format_html(
        '<span style="background-color: {}; color: white; padding: 3px 10px; border-radius: 3px;">{}</span>',
        color or BADGE_COLORS.get(label, "gray"),
        label,
    )


class ReadOnlyAdminMixin(admin.ModelAdmin):
    """For rows that only services write (audit rows, outbox rows, codes, reminders): staff may look, never
    add or edit. Deleting is for superusers (clearing out old rows), unless `deletable = False`.
    """

    deletable = True

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self.deletable and request.user.is_superuser and super().has_delete_permission(request, obj)


class UserEmailMixin:
    """A `user_email` column: the owning user's email, linked to their admin page, sortable."""

    user_field = "user"

    @admin.display(description="User", ordering="user__email")
    def user_email(self, obj) -> str:
        user = getattr(obj, self.user_field)
        if user is None:
            return "-"
        url = reverse(f"admin:{user._meta.app_label}_{user._meta.model_name}_change", args=[user.pk])
        return format_html('<a href="{}">{}</a>', url, user.email)


class StatusBadgeMixin:
    """A `status_badge` column. Subclasses say which label applies with `status_of(obj)`."""

    badge_colors: dict[str, str] = {}

    def status_of(self, obj) -> str:
        raise NotImplementedError

    @admin.display(description="Status")
    def status_badge(self, obj) -> str:
        label = self.status_of(obj)
        return status_badge_html(label, self.badge_colors.get(label))
