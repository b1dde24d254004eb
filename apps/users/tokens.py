"""JWT classes. The refresh token carries its login session id (`sid`); access tokens copy it."""

from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import AccessToken, Token
from rest_framework_simplejwt.utils import datetime_from_epoch

SESSION_CLAIM = "sid"


class SessionRefreshToken(Token):
    """A refresh token tracked in simplejwt's outstanding/blacklist tables without its text.

    simplejwt's own RefreshToken stores every issued token verbatim in OutstandingToken.token, which would put
    live bearer credentials in the database; we keep only the jti there.
    """

    token_type = "refresh"  # noqa: S105 — a token kind, not a secret
    lifetime = api_settings.REFRESH_TOKEN_LIFETIME
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

    def record_outstanding(self, *, user_id) -> OutstandingToken:
        return OutstandingToken.objects.create(
            user_id=user_id,
            jti=self.jti,
            token="",
            created_at=self.current_time,
            expires_at=self.expires_at,
        )

    @property
    def access_token(self) -> AccessToken:
        access = AccessToken()
        access.set_exp(from_time=self.current_time)
        for claim, value in self.payload.items():
            if claim not in self.no_copy_claims:
                access[claim] = value
        return access


def blacklist_jtis(jtis) -> None:
    """Blacklist outstanding tokens by jti (bulk, idempotent)."""
    outstanding = OutstandingToken.objects.filter(jti__in=list(jtis), blacklistedtoken__isnull=True)
    BlacklistedToken.objects.bulk_create(
        [BlacklistedToken(token=t) for t in outstanding], ignore_conflicts=True
    )
