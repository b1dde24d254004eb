"""The password-reset and email-change admins: status badges and details, never a token, code or hash."""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from apps.users.models import EmailChange, PasswordReset
from apps.users.tests.account_support import (
    CHANGE_SUBJECT,
    RESET_SUBJECT,
    ask_email_change,
    ask_reset,
    code_in,
    last_mail,
    reset_with_token,
    token_in,
)
from apps.users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(email="admin@example.com", is_staff=True, is_superuser=True))
    return client


def test_reset_admin_shows_status_and_no_secret(admin_client, api_client, user, mailoutbox):
    ask_reset(api_client, user.email)
    first = last_mail(mailoutbox, user.email, RESET_SUBJECT)
    ask_reset(api_client, user.email)
    second = last_mail(mailoutbox, user.email, RESET_SUBJECT)
    reset_with_token(api_client, token_in(second.body, "reset-password"))

    page = admin_client.get("/admin/users/passwordreset/").content.decode()
    assert user.email in page
    assert ">Replaced</span>" in page
    assert ">Used</span>" in page
    row = PasswordReset.objects.filter(used_at__isnull=False).get()
    detail = admin_client.get(f"/admin/users/passwordreset/{row.pk}/change/").content.decode()
    for secret in (
        token_in(first.body, "reset-password"),
        code_in(second.body),
        row.token_hash,
        row.code_hash,
    ):
        assert secret not in page
        assert secret not in detail


def test_email_change_admin_shows_the_requested_address_and_no_secret(
    admin_client, auth_client, password, mailoutbox
):
    ask_email_change(auth_client, "next@example.org", password)
    mail = last_mail(mailoutbox, "next@example.org", CHANGE_SUBJECT)
    row = EmailChange.objects.get()
    page = admin_client.get("/admin/users/emailchange/").content.decode()
    detail = admin_client.get(f"/admin/users/emailchange/{row.pk}/change/").content.decode()
    assert "next@example.org" in page
    assert ">Pending</span>" in page
    for secret in (
        token_in(mail.body, "confirm-email-change"),
        code_in(mail.body),
        row.token_hash,
        row.code_hash,
    ):
        assert secret not in page
        assert secret not in detail


def test_a_deleted_account_is_findable_by_its_placeholder(admin_client, auth_client, user, password):
    auth_client.delete("/api/v1/auth/me/", {"password": password}, format="json")
    page = admin_client.get("/admin/users/user/?deleted_at__isempty=0").content.decode()
    user.refresh_from_db()
    assert user.email.startswith("deleted-")
    assert user.email in page


def test_email_change_rows_are_read_only_and_deleted_by_superusers_only(admin_client, auth_client, password):
    ask_email_change(auth_client, "next@example.org", password)
    row = EmailChange.objects.get()
    change = f"/admin/users/emailchange/{row.pk}/change/"
    assert admin_client.get("/admin/users/emailchange/add/").status_code == 403
    assert admin_client.post(change, {"new_email": "thief@example.org"}).status_code == 403
    row.refresh_from_db()
    assert row.new_email == "next@example.org"

    staff = UserFactory(is_staff=True)
    codenames = ["view_emailchange", "change_emailchange", "delete_emailchange"]
    staff.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    staff_client = Client()
    staff_client.force_login(staff)
    assert staff_client.get(change).status_code == 200
    assert staff_client.post(f"/admin/users/emailchange/{row.pk}/delete/", {"post": "yes"}).status_code == 403
    assert admin_client.post(f"/admin/users/emailchange/{row.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not EmailChange.objects.exists()
