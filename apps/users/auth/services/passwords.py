"""Changing a password while signed in, and checking the current password a signed-in session gives.

A signed-in session that asks for the current password could be a stolen access token guessing at it: wrong
current passwords count against the account's PASSWORD budget in the database
(apps.users.auth.services.failures), whatever the client address, and each one is audited.
"""

from django.db import transaction
from django.http import HttpRequest

from apps.audit.models import AuditAction
from apps.audit.services import log_action
from apps.common import clock
from apps.common.exceptions import ApplicationError
from apps.users.account.services.email_change_voids import email_changes_void
from apps.users.auth.services.failures import (
    Factor,
    factor_paused_until,
    failure_record,
    raise_if_paused,
    raise_if_paused_locked,
)
from apps.users.auth.services.security_notices import security_notice_send
from apps.users.auth.services.sessions import SessionId, sessions_revoke_all
from apps.users.models import User

WRONG_PASSWORD = "Current password is incorrect."  # noqa: S105 — a message, not a password


def current_password_check(
    *,
    user: User,
    password: str,
    request: HttpRequest | None,
    audit_action: str,
) -> None:
    """Raise unless `password` is the user's; a wrong one is counted and audited (committed) first.

    429 while the account's PASSWORD budget is spent. The caller must call `password_budget_recheck` inside
    the transaction that acts on a right password, so that a right guess racing the last wrong ones is
    judged against the up-to-date count (the same rule as TOTP's, docs/SECURITY.md).
    """
    raise_if_paused(factor_paused_until(user=user, factor=Factor.PASSWORD), clock.now())
    if user.check_password(password):
        return
    with transaction.atomic(durable=True):
        paused_until = failure_record(user=user, factor=Factor.PASSWORD)
        log_action(
            user=user,
            action_type=audit_action,
            request=request,
            description="Wrong current password",
            metadata={"reason": "wrong_password"},
        )
        if paused_until:
            log_action(
                user=user,
                action_type=audit_action,
                request=request,
                description="Too many wrong current passwords; password checks paused for this account",
                metadata={"reason": "paused", "paused_until": paused_until.isoformat()},
            )
    raise ApplicationError(WRONG_PASSWORD, code="wrong_password")


def password_budget_recheck(*, user: User) -> None:
    """The pause check under the budget row's lock; call inside the transaction that acts."""
    raise_if_paused_locked(user=user, factor=Factor.PASSWORD)


def password_change(
    *,
    user: User,
    current_password: str,
    new_password: str,
    current_session_id: SessionId | None,
    request: HttpRequest | None,
) -> int:
    """Set a new password and sign out every other session. Returns how many sessions were revoked.

    Every pending email change of the account is void: whoever asked for it, the owner is cleaning up.
    """
    current_password_check(
        user=user,
        password=current_password,
        request=request,
        audit_action=AuditAction.PASSWORD_CHANGE_FAILED,
    )
    with transaction.atomic():
        password_budget_recheck(user=user)
        user.set_password(new_password)
        user.save(update_fields=["password", "updated_at"])
        revoked = sessions_revoke_all(
            user=user, reason="password_changed", except_session_id=current_session_id
        )
        email_changes_void(user=user, reason="password_changed")
        log_action(
            user=user,
            action_type=AuditAction.PASSWORD_CHANGED,
            request=request,
            metadata={"sessions_revoked": revoked},
        )
        security_notice_send(user=user, kind="password_changed")
    return revoked


def password_set_by_staff(*, user: User, staff: User, request: HttpRequest | None) -> int:
    """After an operator set a new password in the admin (call in the same transaction): as after the owner's
    own change, every session ends and every pending email change is void, so an intruder who knew the old
    password is out; the owner is told. Returns how many sessions were revoked."""
    revoked = sessions_revoke_all(user=user, reason="password_set_by_staff")
    email_changes_void(user=user, reason="password_set_by_staff")
    log_action(
        user=staff,
        action_type=AuditAction.PASSWORD_CHANGED,
        request=request,
        description="Password set by staff in the admin",
        object_type="User",
        object_id=user.pk,
        metadata={"sessions_revoked": revoked},
    )
    security_notice_send(user=user, kind="password_changed")
    return revoked
