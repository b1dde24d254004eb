"""Bearer access tokens that die with their login session (apps/users/auth/revocation.py)."""

import uuid

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.authentication import JWTAuthentication

from apps.users.auth.revocation import session_is_revoked
from apps.users.auth.tokens import SESSION_CLAIM

SESSION_ENDED = "This session has been signed out."


def current_session_id(request) -> str | None:
    """The login session of the request's access token (None for an anonymous request)."""
    return request.auth.get(SESSION_CLAIM) if request.auth is not None else None


class SessionJWTAuthentication(JWTAuthentication):
    """simplejwt's authentication, plus: the token must name its session (`sid`), and a revoked session's
    tokens are refused (401 `session_revoked`) before the user is loaded."""

    def get_validated_token(self, raw_token):
        token = super().get_validated_token(raw_token)
        try:
            session_id = uuid.UUID(str(token[SESSION_CLAIM]))
        except (KeyError, ValueError) as exc:
            raise AuthenticationFailed("Token names no session.", code="token_not_valid") from exc
        if session_is_revoked(session_id):
            raise AuthenticationFailed(SESSION_ENDED, code="session_revoked")
        return token


class SessionJWTScheme(SimpleJWTScheme):
    target_class = "apps.users.auth.authentication.SessionJWTAuthentication"
