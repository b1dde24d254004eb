"""JWT classes. The refresh token carries its login session id (`sid`); access tokens copy it."""

from datetime import timedelta

from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import AccessToken, Token
from rest_framework_simplejwt.utils import datetime_from_epoch

SESSION_CLAIM = "sid"


class SessionRefreshToken(Token):
    """A refresh token of a login session. Whether it may still be used is decided by its session
    (`LoginSession.current_jti`, `revoked_at`), so issuing one writes nothing beyond the session row."""

    token_type = "refresh"  # noqa: S105 — a token kind, not a secret
    lifetime: timedelta = api_settings.REFRESH_TOKEN_LIFETIME
    no_copy_claims = (api_settings.TOKEN_TYPE_CLAIM, "exp", api_settings.JTI_CLAIM, "jti", "iat")

    @classmethod
    def for_session(cls, *, user, session_id) -> "SessionRefreshToken":
        token = cls()
        token[api_settings.USER_ID_CLAIM] = str(getattr(user, api_settings.USER_ID_FIELD))
        token[SESSION_CLAIM] = str(session_id)
        return token

    @property
    def jti(self) -> str:
        return self.payload[api_settings.JTI_CLAIM]

    @property
    def expires_at(self):
        return datetime_from_epoch(self.payload["exp"])

    @property
    def access_token(self) -> AccessToken:
        access = AccessToken()
        access.set_exp(from_time=self.current_time)
        for claim, value in self.payload.items():
            if claim not in self.no_copy_claims:
                access[claim] = value
        return access


def blacklist_sessions_tokens(sessions) -> None:
    """Record the current refresh token of each revoked session in simplejwt's blacklist (bulk, idempotent).

    The blacklist is the record of revoked tokens (and what the admin lists); it is not consulted to refuse
    them, the session is. Tokens are entered in OutstandingToken only now, by jti, never with their text
    (simplejwt's own RefreshToken would store the bearer credential verbatim).
    """
    sessions = [s for s in sessions if s.current_jti]
    OutstandingToken.objects.bulk_create(
        [
            OutstandingToken(
                user_id=s.user_id,
                jti=s.current_jti,
                token="",
                created_at=s.last_used_at,
                expires_at=s.expires_at,
            )
            for s in sessions
        ],
        ignore_conflicts=True,
    )
    outstanding = OutstandingToken.objects.filter(
        jti__in=[s.current_jti for s in sessions], blacklistedtoken__isnull=True
    )
    BlacklistedToken.objects.bulk_create(
        [BlacklistedToken(token=t) for t in outstanding], ignore_conflicts=True
    )
