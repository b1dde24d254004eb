"""An operator evicting an intruder from the admin: signing sessions out, or setting a new password, ends
the intruder's tokens at once, as the owner's own clean-up does; a session row cannot be deleted (its access
tokens would stay alive until they expire)."""

import pytest

from apps.audit.models import AuditAction, AuditLog
from apps.users.models import LoginSession
from apps.users.tests.account_support import ME, PASSWORD_CHANGED_NOTICE, login, refresh, refused
from apps.users.tests.factories import UserFactory
from apps.users.tests.test_session_bound_access import bearer

pytestmark = pytest.mark.django_db
SESSIONS_ADMIN = "/admin/users/loginsession/"
NEW_PASSWORD = "An0ther-Long-Passphrase"


@pytest.fixture
def staff(client):
    operator = UserFactory(email="ops@example.com", is_staff=True, is_superuser=True)
    client.force_login(operator)
    return operator


@pytest.fixture
def intruder(api_client, user, password):
    """An intruder who knew the owner's password and logged in; the tokens work until the operator acts."""
    tokens = login(api_client, user.email, password).json()
    assert bearer(tokens["access"]).get(ME).status_code == 200
    return tokens


def evicted(tokens) -> None:
    refused(bearer(tokens["access"]).get(ME), 401, "session_revoked")
    refused(refresh(bearer(""), tokens["refresh"]), 401, "token_not_valid")


def test_signing_a_session_out_in_the_admin_ends_its_tokens_at_once(
    client, staff, intruder, user, django_capture_on_commit_callbacks
):
    session = LoginSession.objects.get(user=user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            SESSIONS_ADMIN, {"action": "revoke_sessions", "_selected_action": [str(session.id)]}, follow=True
        )
    assert "1 session(s) signed out." in response.content.decode()
    evicted(intruder)
    session.refresh_from_db()
    assert session.revoked_reason == "staff_revoked"
    row = AuditLog.objects.get(action_type=AuditAction.SESSION_REVOKED)
    assert (row.actor, row.object_id, row.metadata) == (staff, str(session.id), {"user_id": user.id})


def test_a_session_row_cannot_be_deleted_in_the_admin(client, staff, intruder, user):
    session = LoginSession.objects.get(user=user)
    assert client.get(f"{SESSIONS_ADMIN}{session.id}/delete/").status_code == 403
    response = client.post(
        SESSIONS_ADMIN, {"action": "delete_selected", "_selected_action": [str(session.id)]}
    )
    assert LoginSession.objects.filter(id=session.id, revoked_at__isnull=True).exists()
    assert "delete_selected" not in client.get(SESSIONS_ADMIN).content.decode()
    assert response.status_code in (200, 302)
    assert bearer(intruder["access"]).get(ME).status_code == 200


def test_a_password_set_in_the_admin_signs_every_session_out_and_tells_the_owner(
    client, staff, intruder, user, api_client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/admin/users/user/{user.id}/password/",
            {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    evicted(intruder)
    assert login(api_client, user.email, NEW_PASSWORD).status_code == 200
    row = AuditLog.objects.get(action_type=AuditAction.PASSWORD_CHANGED)
    assert (row.actor, row.object_id, row.metadata) == (staff, str(user.id), {"sessions_revoked": 1})
    assert [m.to for m in mailoutbox if m.subject == PASSWORD_CHANGED_NOTICE] == [[user.email]]


def test_a_refused_password_form_in_the_admin_changes_nothing(
    client, staff, intruder, user, password, api_client
):
    response = client.post(
        f"/admin/users/user/{user.id}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD + "x", "usable_password": "true"},
    )
    assert response.status_code == 200  # the form again, with its error
    assert bearer(intruder["access"]).get(ME).status_code == 200
    assert login(api_client, user.email, password).status_code == 200
    assert not AuditLog.objects.filter(action_type=AuditAction.PASSWORD_CHANGED).exists()
