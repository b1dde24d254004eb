from datetime import timedelta

import pytest
from django.conf import settings

from apps.audit.models import AuditAction, AuditLog
from apps.users.auth.tokens import SessionRefreshToken

REFRESH = "/api/v1/auth/token/refresh/"
LOGOUT = "/api/v1/auth/logout/"
pytestmark = pytest.mark.django_db


@pytest.fixture
def tokens(api_client, user, password):
    return api_client.post(
        "/api/v1/auth/login/", {"email": user.email, "password": password}, format="json"
    ).data


def refresh(client, token):
    return client.post(REFRESH, {"refresh": token}, format="json")


def test_refresh_rotates_the_pair(api_client, tokens):
    response = refresh(api_client, tokens["refresh"])
    assert response.status_code == 200
    assert set(response.data) == {"access", "refresh"}
    assert response.data["refresh"] != tokens["refresh"]
    assert refresh(api_client, response.data["refresh"]).status_code == 200


def test_a_session_ends_when_the_clock_passes_its_lifetime(api_client, tokens, clock):
    lifetime = settings.SIMPLE_JWT["REFRESH_TOKEN_LIFETIME"]
    clock.advance(lifetime - timedelta(minutes=1))
    kept = refresh(api_client, tokens["refresh"])
    assert kept.status_code == 200  # a refresh within the lifetime starts it again
    clock.advance(lifetime + timedelta(seconds=1))
    expired = refresh(api_client, kept.data["refresh"])
    assert expired.status_code == 401
    assert expired.json()["code"] == "token_not_valid"
    # refused as expired, not taken for a stolen token
    assert not AuditLog.objects.filter(action_type=AuditAction.TOKEN_REUSE).exists()


def test_reusing_a_rotated_token_revokes_the_whole_family(api_client, user, tokens):
    second = refresh(api_client, tokens["refresh"]).data
    reuse = refresh(api_client, tokens["refresh"])
    assert reuse.status_code == 401
    # the thief's copy and the legitimate descendant are both dead now
    assert refresh(api_client, second["refresh"]).status_code == 401
    row = AuditLog.objects.get(action_type=AuditAction.TOKEN_REUSE)
    assert row.actor == user


def test_reuse_in_one_family_leaves_other_logins_alone(api_client, user, password, tokens):
    other = api_client.post(
        "/api/v1/auth/login/", {"email": user.email, "password": password}, format="json"
    ).data
    refresh(api_client, tokens["refresh"])
    refresh(api_client, tokens["refresh"])
    assert refresh(api_client, other["refresh"]).status_code == 200


def test_garbage_refresh_token_is_401_json(api_client):
    response = refresh(api_client, "not-a-jwt")
    assert response.status_code == 401
    assert response.json()["code"] == "token_not_valid"


def test_access_token_is_not_accepted_as_refresh(api_client, tokens):
    assert refresh(api_client, tokens["access"]).status_code == 401


def test_logout_kills_the_refresh_token(api_client, user, tokens):
    response = api_client.post(LOGOUT, {"refresh": tokens["refresh"]}, format="json")
    assert response.status_code == 200
    assert refresh(api_client, tokens["refresh"]).status_code == 401
    assert AuditLog.objects.filter(action_type=AuditAction.LOGOUT, actor=user).count() == 1


def test_refresh_token_text_is_not_stored(api_client, tokens):
    from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

    # Tokens enter simplejwt's tables when they are revoked: log out, then look.
    assert api_client.post(LOGOUT, {"refresh": tokens["refresh"]}, format="json").status_code == 200
    stored = list(OutstandingToken.objects.values_list("token", flat=True))
    assert stored
    assert tokens["refresh"] not in stored
    assert BlacklistedToken.objects.filter(
        token__jti=SessionRefreshToken(tokens["refresh"], verify=False).jti
    ).exists()


def test_refresh_stays_within_four_queries(api_client, tokens, django_assert_max_num_queries):
    # session (with its user) and the rotating UPDATE, in a transaction
    with django_assert_max_num_queries(4):
        assert refresh(api_client, tokens["refresh"]).status_code == 200
