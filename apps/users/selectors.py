from django.db.models import QuerySet
from django.utils import timezone

from apps.users.models import LoginSession, RecoveryCode, TotpDevice, User


def login_session_list(*, user: User) -> QuerySet[LoginSession]:
    """The user's sessions that can still be refreshed, newest activity first."""
    return LoginSession.objects.filter(
        user=user, revoked_at__isnull=True, expires_at__gt=timezone.now()
    ).order_by("-last_used_at")


def mfa_status(*, user: User) -> dict:
    enabled = TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).exists()
    remaining = RecoveryCode.objects.filter(user=user, used_at__isnull=True).count() if enabled else 0
    return {"enabled": enabled, "recovery_codes_remaining": remaining}
