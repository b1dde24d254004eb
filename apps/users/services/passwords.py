"""Changing a password while signed in."""

from django.db import transaction
from django.http import HttpRequest

from apps.audit.models import AuditAction
from apps.audit.services import log_action
from apps.common.exceptions import ApplicationError
from apps.users.models import User
from apps.users.services.security_notices import security_notice_send
from apps.users.services.sessions import sessions_revoke_all


@transaction.atomic
def password_change(
    *, user: User, current_password: str, new_password: str, current_session_id, request: HttpRequest | None
) -> int:
    """Set a new password and sign out every other session. Returns how many sessions were revoked."""
    if not user.check_password(current_password):
        raise ApplicationError("Current password is incorrect.", code="wrong_password")
    user.set_password(new_password)
    user.save(update_fields=["password", "updated_at"])
    revoked = sessions_revoke_all(user=user, reason="password_changed", except_session_id=current_session_id)
    log_action(
        user=user,
        action_type=AuditAction.PASSWORD_CHANGED,
        request=request,
        metadata={"sessions_revoked": revoked},
    )
    security_notice_send(user=user, kind="password_changed")
    return revoked
