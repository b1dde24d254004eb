import pytest
from django.contrib import admin

from apps.common.admin import StatusBadgeMixin, UserEmailMixin, status_badge_html
from apps.users.models import LoginSession
from apps.users.tests.factories import UserFactory


class SessionAdmin(UserEmailMixin, StatusBadgeMixin, admin.ModelAdmin):
    badge_colors = {"Revoked": "gray"}

    def status_of(self, obj):
        return "Revoked" if obj.revoked_at else "Valid"


@pytest.fixture
def model_admin():
    return SessionAdmin(LoginSession, admin.site)


@pytest.mark.django_db
def test_user_email_links_to_the_users_admin_page(model_admin):
    user = UserFactory(email="ann@example.com")
    html = model_admin.user_email(LoginSession(user=user))
    assert html == f'<a href="/admin/users/user/{user.pk}/change/">ann@example.com</a>'


def test_user_email_column_sorts_by_email_and_is_titled_user(model_admin):
    assert model_admin.user_email.admin_order_field == "user__email"
    assert model_admin.user_email.short_description == "User"


def test_status_badge_uses_the_label_colour_and_the_admins_overrides(model_admin):
    assert "background-color: green" in model_admin.status_badge(LoginSession())
    assert ">Valid</span>" in model_admin.status_badge(LoginSession())
    assert "background-color: gray" in model_admin.status_badge(LoginSession(revoked_at="2025-01-01"))
    assert model_admin.status_badge.short_description == "Status"


def test_status_badge_escapes_its_label():
    html = status_badge_html("<script>x</script>")
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "background-color: gray" in html
