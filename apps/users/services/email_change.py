"""Changing the account's email address: nothing changes until the new address proves it reads its mail.

The request (password required) sends a link and a 6-digit code to the NEW address; the change is applied
only when one of them comes back. The old address is then told, with the new one masked. Uniqueness is checked
when asked and again, by the database's case-insensitive unique constraint, when applied.
"""

from datetime import datetime
from typing import NoReturn

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import HttpRequest
from rest_framework.exceptions import ValidationError

from apps.audit.models import AuditAction
from apps.audit.services import log_action
from apps.common import clock
from apps.common.exceptions import ApplicationError
from apps.common.links import frontend_link
from apps.emails.services import email_send
from apps.users.models import (
    EMAIL_CHANGE_LIFETIME,
    EMAIL_CHANGE_MAX_ATTEMPTS,
    EmailChange,
    EmailOTP,
    PasswordReset,
    User,
    normalize_email,
)
from apps.users.services.emailed_secrets import EmailedSecrets, clean_code, code_attempt_claim, mask_email
from apps.users.services.reauthentication import reauthentication_check
from apps.users.services.security_notices import security_notice_send
from apps.users.services.sessions import sessions_revoke_all

SECRETS = EmailedSecrets("email_change")
WRONG_PASSWORD = "Current password is incorrect."  # noqa: S105 — a message, not a password
SAME_EMAIL = "This is already your email address."
EMAIL_TAKEN = "A user with this email already exists."
INVALID_LINK = "This confirmation link is invalid or has already been used."
EXPIRED = "This email change has expired. Ask for it again."
INVALID_CODE = "Invalid code. A code stops working after 5 tries: then ask for the change again."
TAKEN_AT_CONFIRMATION = "Another account has started using this email address; the change was not made."


def _pending() -> Q:
    return Q(confirmed_at__isnull=True, replaced_at__isnull=True)


def email_change_request(
    *, user: User, new_email: str, current_password: str | None, session_id, request: HttpRequest | None
) -> EmailChange | None:
    """Send a link and a code to `new_email`; earlier pending changes of the user stop working.

    Proof of identity: the current password, or else a recent reauthentication of the asking session.
    Returns None when ACCOUNT_PREVENT_ENUMERATION hid that the address is taken (nothing is sent then).
    """
    if current_password is None:
        reauthentication_check(user=user, session_id=session_id)
    elif not user.check_password(current_password):
        _refuse(
            WRONG_PASSWORD,
            "wrong_password",
            user=user,
            request=request,
            reason="wrong_password",
        )
    new_email = normalize_email(new_email)
    if new_email == normalize_email(user.email):
        raise ValidationError({"new_email": [SAME_EMAIL]})
    if User.objects.filter(email__iexact=new_email).exists():
        with transaction.atomic(durable=True):  # committed: the 400 below would roll it back
            log_action(
                user=user,
                action_type=AuditAction.EMAIL_CHANGE_REQUESTED,
                request=request,
                description="Email change to an address already in use; nothing sent",
                metadata={"new_email": new_email, "sent": False},
            )
        if settings.ACCOUNT_PREVENT_ENUMERATION:
            return None
        raise ValidationError({"new_email": [EMAIL_TAKEN]})
    return _issue(user=user, new_email=new_email, session_id=session_id, request=request)


@transaction.atomic
def _issue(*, user: User, new_email: str, session_id, request: HttpRequest | None) -> EmailChange:
    now = clock.now()
    EmailChange.objects.filter(_pending(), user=user).update(replaced_at=now, updated_at=now)
    issued = SECRETS.issue()
    row = EmailChange.objects.create(
        user=user,
        new_email=new_email,
        token_hash=issued.token_hash,
        code_hash=issued.code_hash,
        session_id=session_id,
        expires_at=now + EMAIL_CHANGE_LIFETIME,
    )
    email_send(
        to=new_email,
        template="email_change",
        context={"name": user.first_name or new_email},
        secret_context={
            "confirm_url": frontend_link("confirm_email_change", token=issued.token),
            "code": issued.code,
        },
    )
    log_action(
        user=user,
        action_type=AuditAction.EMAIL_CHANGE_REQUESTED,
        request=request,
        description="Email change requested; confirmation sent to the new address",
        object_type="EmailChange",
        object_id=row.pk,
        metadata={"new_email": new_email, "sent": True},
    )
    return row


def email_change_confirm_token(*, token: object, request: HttpRequest | None) -> User:
    """Apply a change with the link's token (no login needed: the link itself is the proof)."""
    now = clock.now()
    hashes = SECRETS.token_hashes(token)
    row = EmailChange.objects.select_related("user").filter(token_hash__in=hashes).first() if hashes else None
    if row is None:
        _refuse(INVALID_LINK, "invalid_token", request=request, reason="unknown_token")
    if row.confirmed_at or row.replaced_at:
        _refuse(INVALID_LINK, "invalid_token", request=request, row=row, reason="used_or_replaced")
    if row.expires_at <= now:
        _refuse(EXPIRED, "expired", request=request, row=row, reason="expired")
    return _apply(row=row, request=request, now=now, via="link")


def email_change_confirm_code(*, user: User, code: object, request: HttpRequest | None) -> User:
    """Apply the signed-in user's newest pending change with the code sent to the new address."""
    now = clock.now()
    code = clean_code(code)
    row = EmailChange.objects.select_related("user").filter(user=user).order_by("-created_at", "-id").first()
    if row is None or not code:
        _refuse(INVALID_CODE, "invalid_code", user=user, request=request, reason="no_change")
    if not code_attempt_claim(
        model=EmailChange, row_id=row.pk, live=_pending(), limit=EMAIL_CHANGE_MAX_ATTEMPTS
    ):
        _refuse(INVALID_CODE, "invalid_code", request=request, row=row, reason="dead")
    if not SECRETS.code_matches(token_hash=row.token_hash, code_hash=row.code_hash, code=code):
        _refuse(INVALID_CODE, "invalid_code", request=request, row=row, reason="wrong_code")
    if row.expires_at <= now:
        _refuse(EXPIRED, "expired", request=request, row=row, reason="expired")
    return _apply(row=row, request=request, now=now, via="code")


def _apply(*, row: EmailChange, request, now: datetime, via: str) -> User:
    reason = "raced"
    with transaction.atomic():
        user = User.objects.select_for_update().filter(id=row.user_id).first()
        # one conditional UPDATE decides: of concurrent confirmations of this change, one gets here
        consumed = EmailChange.objects.filter(_pending(), id=row.pk, expires_at__gt=now).update(
            confirmed_at=now, updated_at=now
        )
        if consumed and user.is_active and user.deleted_at is None:
            old_email = user.email
            try:
                with transaction.atomic():
                    User.objects.filter(id=user.pk).update(email=row.new_email, updated_at=now)
            except IntegrityError:
                reason = "taken"
            else:
                user.email = row.new_email
                _after_change(user=user, row=row, old_email=old_email, request=request, now=now, via=via)
                return user
        if reason == "taken":
            transaction.set_rollback(True)  # the change stays pending; nothing was applied
    if reason == "taken":
        _refuse(TAKEN_AT_CONFIRMATION, "email_taken", request=request, row=row, reason="taken", status=409)
    _refuse(INVALID_LINK, "invalid_token", request=request, row=row, reason=reason)


def _after_change(*, user: User, row: EmailChange, old_email: str, request, now: datetime, via: str) -> None:
    # every session but the one that asked is signed out; secrets mailed to the old address stop working
    revoked = sessions_revoke_all(user=user, reason="email_changed", except_session_id=row.session_id)
    PasswordReset.objects.filter(user=user, used_at__isnull=True, replaced_at__isnull=True).update(
        replaced_at=now, updated_at=now
    )
    EmailOTP.objects.filter(user=user, used_at__isnull=True, expires_at__gt=now).update(
        expires_at=now, updated_at=now
    )
    log_action(
        user=user,
        action_type=AuditAction.EMAIL_CHANGED,
        request=request,
        description=f"Email changed (confirmed by {via})",
        object_type="EmailChange",
        object_id=row.pk,
        metadata={"old_email": old_email, "new_email": user.email, "sessions_revoked": revoked},
    )
    masked = mask_email(user.email)
    # "name" falls back to the masked address: the full new address must not reach the old mailbox
    security_notice_send(
        user=user,
        kind="email_changed",
        to=old_email,
        context={"name": user.first_name or masked, "new_email_masked": masked},
    )


def _refuse(
    message: str,
    code: str,
    *,
    request: HttpRequest | None,
    reason: str,
    row: EmailChange | None = None,
    user: User | None = None,
    status: int | None = None,
    extra: dict | None = None,
) -> NoReturn:
    """Audit the refusal in its own committed transaction, then raise."""
    with transaction.atomic(durable=True):
        log_action(
            user=row.user if row else user,
            action_type=AuditAction.EMAIL_CHANGE_FAILED,
            request=request,
            description=f"Email change refused: {reason}",
            object_type="EmailChange" if row else "",
            object_id=row.pk if row else "",
            metadata={"reason": reason},
        )
    raise ApplicationError(message, code=code, status_code=status, extra=extra)
