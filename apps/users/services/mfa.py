"""TOTP multi-factor authentication. Until it is enrolled by a user, logins go straight to tokens."""

from apps.users.models import TotpDevice, User


def mfa_is_enabled(user: User) -> bool:
    try:
        device = user.totp_device
    except TotpDevice.DoesNotExist:
        return False
    return device.confirmed_at is not None


def mfa_challenge_start(*, user: User, method: str) -> str:
    raise NotImplementedError("MFA is not enrolled for any user yet.")
