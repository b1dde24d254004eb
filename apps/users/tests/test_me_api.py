import pytest

from apps.audit.models import AuditAction, AuditLog

ME = "/api/v1/auth/me/"
pytestmark = pytest.mark.django_db


def test_me_requires_authentication(api_client):
    response = api_client.get(ME)
    assert response.status_code == 401
    assert "error" in response.json()


def test_patch_changes_names_but_not_email_or_role(auth_client, user):
    response = auth_client.patch(
        ME, {"first_name": "Ada", "email": "evil@example.com", "role": "admin"}, format="json"
    )
    assert response.status_code == 400  # strict writes: read-only fields are named, nothing is applied
    assert set(response.json()) == {"email", "role"}
    assert auth_client.get(ME).data["first_name"] != "Ada"
    response = auth_client.patch(ME, {"first_name": "Ada"}, format="json")
    assert response.status_code == 200
    assert response.data["first_name"] == "Ada"
    me = auth_client.get(ME).data
    assert (me["email"], me["role"], me["first_name"]) == (user.email, "member", "Ada")


def test_patch_rejects_overlong_name(auth_client):
    response = auth_client.patch(ME, {"first_name": "x" * 500}, format="json")
    assert response.status_code == 400
    assert "first_name" in response.json()


def _profile_updates(user):
    return list(
        AuditLog.objects.filter(
            action_type=AuditAction.UPDATE, object_type="User", object_id=str(user.pk)
        ).values_list("description", "metadata")
    )


def test_a_name_change_writes_one_audit_row_naming_the_fields_not_the_values(auth_client, user):
    response = auth_client.patch(ME, {"first_name": "Ada", "last_name": user.last_name}, format="json")
    assert response.status_code == 200
    assert _profile_updates(user) == [("Profile updated", {"fields": ["first_name"]})]
    row = AuditLog.objects.get(action_type=AuditAction.UPDATE, object_id=str(user.pk))
    assert row.actor_id == user.pk
    assert row.ip_address == "127.0.0.1"


def test_an_unchanged_name_writes_no_audit_row(auth_client, user):
    assert auth_client.patch(ME, {"first_name": user.first_name}, format="json").status_code == 200
    assert _profile_updates(user) == []


def test_bad_input_is_a_400_that_changes_and_audits_nothing(auth_client, user):
    before = (user.first_name, user.last_name)
    for body in (
        {"first_name": "Ada", "last_name": "x" * 500},
        {"first_name": "Ada", "email": "e@example.com"},
    ):
        assert auth_client.patch(ME, body, format="json").status_code == 400
    user.refresh_from_db()
    assert (user.first_name, user.last_name) == before
    assert _profile_updates(user) == []
