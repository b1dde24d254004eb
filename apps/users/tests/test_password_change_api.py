import pytest

from apps.audit.models import AuditAction, AuditLog

CHANGE = "/api/v1/auth/password/change/"
REFRESH = "/api/v1/auth/token/refresh/"
NEW = "BrandNewPass456!"
pytestmark = pytest.mark.django_db


def change(client, current, new=NEW, confirm=None):
    body = {"current_password": current, "new_password": new, "new_password_confirm": confirm or new}
    return client.post(CHANGE, body, format="json")


def test_change_password_signs_out_other_sessions_only(auth_client, api_client, user, password, mailoutbox):
    other = api_client.post("/api/v1/auth/login/", {"email": user.email, "password": password}, format="json")
    response = change(auth_client, password)
    assert response.status_code == 200
    assert response.data["sessions_revoked"] == 1
    assert api_client.post(REFRESH, {"refresh": other.data["refresh"]}, format="json").status_code == 401
    assert (
        auth_client.post(REFRESH, {"refresh": auth_client.tokens["refresh"]}, format="json").status_code
        == 200
    )
    login = api_client.post("/api/v1/auth/login/", {"email": user.email, "password": NEW}, format="json")
    assert login.status_code == 200
    assert [m.subject for m in mailoutbox] == ["Your KinWise password was changed"]
    assert AuditLog.objects.filter(action_type=AuditAction.PASSWORD_CHANGED, actor=user).count() == 1


def test_wrong_current_password_changes_nothing(auth_client, api_client, user, password, mailoutbox):
    response = change(auth_client, "NotMyPass123!")
    assert response.status_code == 400
    assert response.json() == {"error": "Current password is incorrect.", "code": "wrong_password"}
    ok = api_client.post("/api/v1/auth/login/", {"email": user.email, "password": password}, format="json")
    assert ok.status_code == 200
    assert mailoutbox == []


def test_weak_new_password_lists_every_failing_rule(auth_client, password):
    response = change(auth_client, password, new="abc")
    assert response.status_code == 400
    messages = " ".join(response.json()["new_password"])
    assert "too short" in messages
    assert "uppercase" in messages
    assert "digit" in messages


def test_mismatched_confirmation(auth_client, password):
    response = change(auth_client, password, confirm="Different123!")
    assert response.status_code == 400
    assert "new_password_confirm" in response.json()
