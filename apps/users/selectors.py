from django.db.models import QuerySet
from django.utils import timezone

from apps.users.models import LoginSession, User


def login_session_list(*, user: User) -> QuerySet[LoginSession]:
    """The user's sessions that can still be refreshed, newest activity first."""
    return LoginSession.objects.filter(
        user=user, revoked_at__isnull=True, expires_at__gt=timezone.now()
    ).order_by("-last_used_at")
