from typing import Any, TypeVar

from django.db.models import Model, QuerySet, Subquery

from apps.common import clock
from apps.users.models import LoginSession, RecoveryCode, TotpDevice, User

_M = TypeVar("_M", bound=Model)


def owned_by_email(queryset: QuerySet[_M], email: str) -> QuerySet[_M]:
    """Rows of `queryset` (a model with a `user` foreign key) that belong to the account with this address.

    Filters on the account's id, looked up first by the database, rather than joining on `user__email`: for
    "the newest row of this account" Postgres otherwise tends to walk the whole table backwards by id and
    join each row, which gets slower with every row ever written (1.8 ms at 3 600 codes, growing).
    """
    return queryset.filter(user_id=Subquery(User.objects.filter(email=email).values("pk")[:1]))


def login_session_list(*, user: User) -> QuerySet[LoginSession]:
    """The user's sessions that can still be refreshed, newest activity first."""
    return LoginSession.objects.filter(
        user=user, revoked_at__isnull=True, expires_at__gt=clock.now()
    ).order_by("-last_used_at")


def mfa_status(*, user: User) -> dict[str, Any]:
    enabled = TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).exists()
    remaining = RecoveryCode.objects.filter(user=user, used_at__isnull=True).count() if enabled else 0
    return {"enabled": enabled, "recovery_codes_remaining": remaining}
