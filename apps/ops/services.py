from datetime import timedelta

from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

from apps.common import clock
from apps.users.models import (
    AuthFailureWindow,
    EmailChange,
    EmailOTP,
    EmailVerification,
    LoginSession,
    MfaChallenge,
    PasswordReset,
)


def expired_tokens_flush() -> int:
    """Delete refresh-token records past their expiry; their blacklist rows go with them (cascade).

    An expired refresh token is refused on its own `exp` claim, so its record protects nothing any more.
    """
    deleted, _ = OutstandingToken.objects.filter(expires_at__lte=clock.now()).delete()
    return deleted


# Short-lived auth records are kept this long past their expiry (for the admin and investigations).
AUTH_RECORD_RETENTION = timedelta(days=7)


def expired_auth_records_purge() -> dict[str, int]:
    """Delete one-time codes, challenges, resets, email changes and sessions long past their expiry.

    Only dead rows go: each is refused on its own expiry already. Verified email verifications stay (history).
    """
    cutoff = clock.now() - AUTH_RECORD_RETENTION
    querysets = {
        "email_otp": EmailOTP.objects.filter(expires_at__lt=cutoff),
        "mfa_challenge": MfaChallenge.objects.filter(expires_at__lt=cutoff),
        "password_reset": PasswordReset.objects.filter(expires_at__lt=cutoff),
        "email_change": EmailChange.objects.filter(expires_at__lt=cutoff),
        "email_verification": EmailVerification.objects.filter(
            expires_at__lt=cutoff, verified_at__isnull=True
        ),
        "login_session": LoginSession.objects.filter(expires_at__lt=cutoff),
        "auth_failure_window": AuthFailureWindow.objects.filter(window_started_at__lt=cutoff).exclude(
            paused_until__gte=clock.now()
        ),
    }
    return {name: queryset.delete()[0] for name, queryset in querysets.items()}
