"""TOTP multi-factor authentication. Until it is enrolled by a user, logins go straight to tokens."""

from apps.users.models import User


def mfa_is_enabled(user: User) -> bool:
    return False


def mfa_challenge_start(*, user: User, method: str) -> str:
    raise NotImplementedError("MFA is not enrolled for any user yet.")
