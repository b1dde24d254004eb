"""An access token dies with its login session: the attacker holding a stolen access token is signed out as
soon as the owner's clean-up commits, not when the token expires."""

import uuid

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from apps.common import health
from apps.users.auth.revocation import CACHE_ALIAS
from apps.users.tests.account_support import (
    ME,
    RESET_SUBJECT,
    ask_reset,
    code_in,
    last_mail,
    login,
    refresh,
    refused,
    reset_with_code,
)
from apps.users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
SESSIONS = "/api/v1/auth/sessions/"
DEAD_REDIS = {
    "BACKEND": "django.core.cache.backends.redis.RedisCache",
    "LOCATION": "redis://127.0.0.1:1/0",
    "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
}


def bearer(access: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client


@pytest.fixture
def stolen(api_client, user, password):
    """The intruder's copy of a session's tokens (same login), checked to work before the owner acts."""
    tokens = login(api_client, user.email, password).json()
    thief = bearer(tokens["access"])
    assert thief.get(ME).status_code == 200
    return {"client": thief, **tokens}


@pytest.fixture
def owner(client_for, user):
    return client_for(user)


def assert_signed_out(thief: APIClient) -> None:
    refused(thief.get(ME), 401, "session_revoked")


def test_a_stolen_access_token_dies_when_its_session_logs_out(stolen, api_client):
    assert api_client.post("/api/v1/auth/logout/", {"refresh": stolen["refresh"]}, format="json").status_code
    assert_signed_out(stolen["client"])


def test_a_stolen_access_token_dies_when_the_owner_revokes_its_session(stolen, owner):
    target = next(s for s in owner.get(SESSIONS).json() if not s["current"])
    assert owner.delete(f"{SESSIONS}{target['id']}/").status_code == 204
    assert_signed_out(stolen["client"])
    assert owner.get(ME).status_code == 200


def test_a_stolen_access_token_dies_when_the_owner_signs_out_the_others(stolen, owner):
    assert owner.post(f"{SESSIONS}revoke-others/").json() == {"revoked": 1}
    assert_signed_out(stolen["client"])
    assert owner.get(ME).status_code == 200


def test_a_stolen_access_token_dies_when_the_owner_changes_the_password(stolen, owner, password):
    body = {
        "current_password": password,
        "new_password": "Other1Pass!x",
        "new_password_confirm": "Other1Pass!x",
    }
    assert owner.post("/api/v1/auth/password/change/", body, format="json").status_code == 200
    assert_signed_out(stolen["client"])
    assert owner.get(ME).status_code == 200


def test_a_stolen_access_token_dies_when_the_password_is_reset(stolen, api_client, user, mailoutbox):
    assert ask_reset(api_client, user.email).status_code == 200
    code = code_in(last_mail(mailoutbox, user.email, RESET_SUBJECT).body)
    assert reset_with_code(api_client, user.email, code).status_code == 200
    assert_signed_out(stolen["client"])


def test_a_stolen_access_token_dies_when_a_rotated_out_refresh_token_comes_back(stolen, api_client):
    rotated = refresh(api_client, stolen["refresh"]).json()  # the owner's client rotates first
    assert bearer(rotated["access"]).get(ME).status_code == 200
    refused(refresh(api_client, stolen["refresh"]), 401, "token_not_valid")  # the thief replays: reuse
    assert_signed_out(stolen["client"])
    assert_signed_out(bearer(rotated["access"]))


def test_a_stolen_access_token_dies_when_the_account_is_deleted(stolen, owner, password):
    assert owner.delete(ME, {"password": password}, format="json").status_code == 204
    assert_signed_out(stolen["client"])


def test_an_access_token_naming_no_session_is_refused(user):
    forged = AccessToken.for_user(user)  # validly signed, but no `sid` claim
    refused(bearer(str(forged)).get(ME), 401, "token_invalid")


def test_an_access_token_of_an_unknown_session_is_refused_when_the_cache_is_down(user, settings):
    forged = AccessToken.for_user(user)
    forged["sid"] = str(uuid.uuid4())
    settings.CACHES = {**settings.CACHES, CACHE_ALIAS: DEAD_REDIS}
    try:
        refused(bearer(str(forged)).get(ME), 401, "session_revoked")
    finally:
        health._last_cache_error.pop("session_revocation", None)


def test_the_session_check_costs_no_database_query(owner):
    assert owner.get(ME).status_code == 200  # the first check after an empty cache publishes (see below)
    with CaptureQueriesContext(connection) as captured:
        assert owner.get(ME).status_code == 200
    statements = [q["sql"] for q in captured.captured_queries]
    assert not [sql for sql in statements if "login_session" in sql], statements
    assert len(statements) == 1, statements  # the user row, as simplejwt always loaded it


def test_a_cache_that_lost_its_markers_is_refilled_from_the_database(stolen, api_client):
    api_client.post("/api/v1/auth/logout/", {"refresh": stolen["refresh"]}, format="json")
    caches[CACHE_ALIAS].clear()  # Redis restarted without persistence, say
    with CaptureQueriesContext(connection) as captured:
        assert_signed_out(stolen["client"])
    assert [q for q in captured.captured_queries if "login_session" in q["sql"]]
    with CaptureQueriesContext(connection) as captured:
        assert_signed_out(stolen["client"])
    assert not captured.captured_queries  # refused from the cache again, before the user is loaded


@pytest.fixture
def cache_down(settings):
    """The shared cache unreachable; yields a function that brings it back."""
    working = settings.CACHES
    settings.CACHES = {"default": DEAD_REDIS, CACHE_ALIAS: DEAD_REDIS}

    def back():
        settings.CACHES = working

    try:
        yield back
    finally:
        settings.CACHES = working
        for component in ("rate_limiter", "session_revocation"):
            health._last_cache_error.pop(component, None)


def test_while_the_cache_is_down_tokens_are_checked_in_the_database_and_readyz_says_so(
    stolen, owner, api_client, cache_down
):
    with CaptureQueriesContext(connection) as captured:
        assert owner.get(ME).status_code == 200
    assert [q for q in captured.captured_queries if "login_session" in q["sql"]]

    api_client.post("/api/v1/auth/logout/", {"refresh": stolen["refresh"]}, format="json")
    assert_signed_out(stolen["client"])
    assert owner.get(ME).status_code == 200

    ready = api_client.get("/readyz").json()
    assert ready["checks"]["session_revocation"].startswith("degraded: ")
    assert "database" in ready["checks"]["session_revocation"]


def test_a_revocation_made_while_the_cache_was_down_holds_when_it_is_back(stolen, api_client, cache_down):
    # the logout commits; its marker cannot be written
    api_client.post("/api/v1/auth/logout/", {"refresh": stolen["refresh"]}, format="json")
    cache_down()  # the same cache as before the outage, which never heard of the logout
    assert_signed_out(stolen["client"])
    assert_signed_out(stolen["client"])


def test_other_users_and_sessions_are_untouched(stolen, api_client, password):
    other = UserFactory(password=password)
    other_client = bearer(login(api_client, other.email, password).json()["access"])
    api_client.post("/api/v1/auth/logout/", {"refresh": stolen["refresh"]}, format="json")
    assert other_client.get(ME).status_code == 200


def test_the_schema_documents_the_new_401_code():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    assert "session_revoked" in schema["paths"]["/api/v1/auth/me/"]["get"]["responses"]["401"]["description"]
