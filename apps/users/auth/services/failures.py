"""Per-account budgets of wrong guesses at a guessable factor, kept in the database.

A six-digit code can be guessed with probability 1/10^6 per try. Per-code and per-IP limits cap tries per code
and per client; this budget caps them per account and day, whatever the number of client addresses, so that
the chance of guessing one's way into an account stays below a stated bound (docs/SECURITY.md). The factors:
the email-OTP login code, TOTP codes, the reauthentication, email-change and email-verification codes, and
the current password asked by a signed-in session (password change, email change), which a stolen access
token would otherwise let anyone guess at.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import OuterRef, Subquery

from apps.common import clock
from apps.common.exceptions import RateLimited
from apps.users.models import AuthFailureWindow, User

Factor = AuthFailureWindow.Factor


_BUDGET_SETTINGS = {
    Factor.OTP: "OTP_FAILURE_BUDGET",
    Factor.TOTP: "MFA_FAILURE_BUDGET",
    Factor.REAUTH: "OTP_FAILURE_BUDGET",  # emailed codes share it, each factor in its own window
    Factor.EMAIL_CHANGE: "EMAIL_CHANGE_FAILURE_BUDGET",
    Factor.PASSWORD: "PASSWORD_FAILURE_BUDGET",
    Factor.EMAIL_VERIFICATION: "EMAIL_VERIFICATION_FAILURE_BUDGET",
}


def _budget(factor: str) -> int:
    budget: int = getattr(settings, _BUDGET_SETTINGS[Factor(factor)])
    return budget


def _window() -> timedelta:
    return timedelta(hours=settings.AUTH_FAILURE_WINDOW_HOURS)


def paused_until_subquery(factor: str, *, user_field: str = "pk") -> Subquery:
    """For annotating a queryset whose `user_field` is a user id (a User queryset by default): when this
    factor's pause ends (None when not paused)."""
    return Subquery(
        AuthFailureWindow.objects.filter(user=OuterRef(user_field), factor=factor).values("paused_until")[:1]
    )


def raise_if_paused(paused_until: datetime | None, now: datetime) -> None:
    """429 with Retry-After, like every other limit, while a pause lasts."""
    if paused_until is not None and paused_until > now:
        raise RateLimited(wait=(paused_until - now).total_seconds())


def factor_paused_until(*, user: User, factor: str) -> datetime | None:
    return (
        AuthFailureWindow.objects.filter(user=user, factor=factor)
        .values_list("paused_until", flat=True)
        .first()
    )


def failure_record(*, user: User, factor: str) -> datetime | None:
    """Count one wrong guess. Returns the pause's end if this guess spent the budget, else None.

    Call inside the (committed) transaction that records the failure. The row is locked, so concurrent
    failures are counted one by one and exactly one of them starts the pause.
    """
    now = clock.now()
    row, _ = AuthFailureWindow.objects.select_for_update().get_or_create(
        user=user, factor=factor, defaults={"window_started_at": now}
    )
    if now >= row.window_started_at + _window():
        row.window_started_at, row.failures, row.paused_until = now, 0, None
    row.failures += 1
    started_pause = None
    if row.failures >= _budget(factor) and not (row.paused_until and row.paused_until > now):
        row.paused_until = started_pause = row.window_started_at + _window()
    row.save(update_fields=["window_started_at", "failures", "paused_until"])
    return started_pause


def raise_if_paused_locked(*, user: User, factor: str) -> None:
    """The pause check, serialized with failure_record by the row lock: call inside the success transaction.

    Every wrong guess is counted under this lock, so a right guess that takes it after the budget is spent
    sees the pause: no guess is judged against a stale count.
    """
    paused_until = (
        AuthFailureWindow.objects.select_for_update()
        .filter(user=user, factor=factor)
        .values_list("paused_until", flat=True)
        .first()
    )
    raise_if_paused(paused_until, clock.now())
