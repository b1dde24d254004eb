from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from apps.audit.models import AuditAction, AuditLog

SESSIONS = "/api/v1/auth/sessions/"
REFRESH = "/api/v1/auth/token/refresh/"
pytestmark = pytest.mark.django_db


def login(client, user, password, agent="test-agent"):
    return client.post(
        "/api/v1/auth/login/",
        {"email": user.email, "password": password},
        format="json",
        HTTP_USER_AGENT=agent,
        REMOTE_ADDR="203.0.113.5",
    ).data


def test_lists_one_entry_per_login_and_marks_the_current_one(auth_client, api_client, user, password):
    login(api_client, user, password, agent="phone")
    sessions = auth_client.get(SESSIONS).data
    assert len(sessions) == 2
    assert [s["current"] for s in sessions].count(True) == 1
    other = next(s for s in sessions if not s["current"])
    assert (other["user_agent"], other["ip_address"], other["method"]) == ("phone", "203.0.113.5", "password")


def test_refreshing_keeps_one_entry_per_family(auth_client):
    auth_client.post(REFRESH, {"refresh": auth_client.tokens["refresh"]}, format="json")
    assert len(auth_client.get(SESSIONS).data) == 1


def test_revoking_a_session_kills_its_refresh_token(auth_client, api_client, user, password):
    phone = login(api_client, user, password, agent="phone")
    target = next(s for s in auth_client.get(SESSIONS).data if not s["current"])
    assert auth_client.delete(f"{SESSIONS}{target['id']}/").status_code == 204
    assert api_client.post(REFRESH, {"refresh": phone["refresh"]}, format="json").status_code == 401
    assert auth_client.delete(f"{SESSIONS}{target['id']}/").status_code == 404


def test_cannot_revoke_someone_elses_session(auth_client, api_client):
    from apps.users.tests.factories import UserFactory

    stranger = UserFactory(password="SecurePass123!")
    login(api_client, stranger, "SecurePass123!")
    stranger_session = stranger.login_sessions.get()
    assert auth_client.delete(f"{SESSIONS}{stranger_session.id}/").status_code == 404
    stranger_session.refresh_from_db()
    assert stranger_session.revoked_at is None


def test_revoke_others_keeps_the_current_session(auth_client, api_client, user, password):
    phones = [login(api_client, user, password, agent=f"phone{i}") for i in range(2)]
    response = auth_client.post(f"{SESSIONS}revoke-others/")
    assert response.data == {"revoked": 2}
    for phone in phones:
        assert api_client.post(REFRESH, {"refresh": phone["refresh"]}, format="json").status_code == 401
    assert (
        auth_client.post(REFRESH, {"refresh": auth_client.tokens["refresh"]}, format="json").status_code
        == 200
    )


def test_token_reuse_sends_one_security_notice(api_client, user, password, mailoutbox):
    tokens = login(api_client, user, password)
    api_client.post(REFRESH, {"refresh": tokens["refresh"]}, format="json")
    for _ in range(3):
        assert api_client.post(REFRESH, {"refresh": tokens["refresh"]}, format="json").status_code == 401
    notices = [m for m in mailoutbox if m.subject == "We signed out a suspicious KinWise session"]
    assert len(notices) == 1
    assert notices[0].to == [user.email]
    assert AuditLog.objects.filter(action_type=AuditAction.TOKEN_REUSE).count() == 1


def test_sessions_require_authentication(api_client):
    assert api_client.get(SESSIONS).status_code == 401


def test_revocations_are_audited(auth_client, api_client, user, password):
    login(api_client, user, password, agent="phone")
    target = next(s for s in auth_client.get(SESSIONS).data if not s["current"])
    auth_client.delete(f"{SESSIONS}{target['id']}/")
    login(api_client, user, password, agent="tablet")
    auth_client.post(f"{SESSIONS}revoke-others/")
    rows = AuditLog.objects.filter(action_type=AuditAction.SESSION_REVOKED, actor=user).order_by("id")
    assert [(r.object_id, r.metadata) for r in rows] == [(target["id"], {}), ("", {"sessions_revoked": 1})]


def test_expired_sessions_are_not_listed(auth_client, api_client, user, password):
    login(api_client, user, password, agent="old phone")
    user.login_sessions.filter(user_agent="old phone").update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    sessions = auth_client.get(SESSIONS).data
    assert len(sessions) == 1
    assert sessions[0]["current"]


def test_sessions_the_clock_has_moved_past_are_not_listed(auth_client, api_client, user, password, clock):
    login(api_client, user, password, agent="old phone")
    clock.advance(settings.SIMPLE_JWT["REFRESH_TOKEN_LIFETIME"] + timedelta(seconds=1))
    login(api_client, user, password, agent="new phone")
    sessions = auth_client.get(SESSIONS).data  # its own access token still works; its session has ended
    assert [s["user_agent"] for s in sessions] == ["new phone"]
