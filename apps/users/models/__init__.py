"""Every model of the users app, importable as `apps.users.models.X` (migrations and other apps rely on it).

Each area keeps its rows in its own module; all of them stay in the `users` app label, so no table moved.
"""

from apps.users.models.account import (
    EMAIL_CHANGE_LIFETIME,
    EMAIL_CHANGE_MAX_ATTEMPTS,
    EMAIL_VERIFICATION_LIFETIME,
    EMAIL_VERIFICATION_MAX_ATTEMPTS,
    PASSWORD_RESET_DAILY_LIMIT,
    PASSWORD_RESET_LIFETIME,
    PASSWORD_RESET_MAX_ATTEMPTS,
    EmailChange,
    EmailVerification,
    PasswordReset,
)
from apps.users.models.auth import (
    REAUTHENTICATION_CODE_LIFETIME,
    REAUTHENTICATION_CODE_MAX_ATTEMPTS,
    AuthFailureWindow,
    EmailOTP,
    LoginSession,
    ReauthenticationCode,
)
from apps.users.models.mfa import MfaChallenge, RecoveryCode, TotpDevice
from apps.users.models.user import User, UserManager, normalize_email

__all__ = [
    "EMAIL_CHANGE_LIFETIME",
    "EMAIL_CHANGE_MAX_ATTEMPTS",
    "EMAIL_VERIFICATION_LIFETIME",
    "EMAIL_VERIFICATION_MAX_ATTEMPTS",
    "PASSWORD_RESET_DAILY_LIMIT",
    "PASSWORD_RESET_LIFETIME",
    "PASSWORD_RESET_MAX_ATTEMPTS",
    "REAUTHENTICATION_CODE_LIFETIME",
    "REAUTHENTICATION_CODE_MAX_ATTEMPTS",
    "AuthFailureWindow",
    "EmailChange",
    "EmailOTP",
    "EmailVerification",
    "LoginSession",
    "MfaChallenge",
    "PasswordReset",
    "ReauthenticationCode",
    "RecoveryCode",
    "TotpDevice",
    "User",
    "UserManager",
    "normalize_email",
]
