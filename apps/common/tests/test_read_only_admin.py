"""Rows only services write are read-only in the admin: no adding or editing; superusers alone delete, and
nobody deletes audit rows."""

import pytest
from django.contrib.auth.models import Permission

from apps.audit.models import AuditAction
from apps.audit.services import log_action
from apps.emails.services import email_send
from apps.users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

AUDIT = "/admin/audit/auditlog/"
OUTBOX = "/admin/emails/emailoutbox/"


def test_audit_rows_can_be_read_but_not_added_changed_or_deleted(admin_client):
    row = log_action(action_type=AuditAction.LOGIN, description="signed in")
    assert admin_client.get(f"{AUDIT}{row.id}/change/").status_code == 200
    assert admin_client.get(f"{AUDIT}add/").status_code == 403
    assert admin_client.post(f"{AUDIT}{row.id}/change/", {"description": "rewritten"}).status_code == 403
    assert admin_client.post(f"{AUDIT}{row.id}/delete/", {"post": "yes"}).status_code == 403
    row.refresh_from_db()
    assert row.description == "signed in"


def test_outbox_rows_are_deleted_by_superusers_only(admin_client, client):
    mine, other = (
        email_send(to="a@example.com", template="test"),
        email_send(to="b@example.com", template="test"),
    )
    assert admin_client.get(f"{OUTBOX}add/").status_code == 403
    assert admin_client.post(f"{OUTBOX}{mine.id}/delete/", {"post": "yes"}).status_code == 302

    staff = UserFactory(is_staff=True)
    codenames = ["view_emailoutbox", "change_emailoutbox", "delete_emailoutbox"]
    staff.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    client.force_login(staff)
    assert client.get(OUTBOX).status_code == 200
    assert client.post(f"{OUTBOX}{other.id}/delete/", {"post": "yes"}).status_code == 403
