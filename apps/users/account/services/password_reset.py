"""Forgotten password: a link token and a 6-digit code by email, then a new password.

Threats and answers (numbers in docs/SECURITY.md, "Account lifecycle"):
- account discovery: the request answers the same and runs the same statements for every address (the lookup
  and the email happen in the worker), and a refused code is refused the same way for an unknown address, a
  wrong code and a dead one;
- guessing the code: each reset allows PASSWORD_RESET_MAX_ATTEMPTS tries, handed out by the database before
  the comparison, and an account gets at most PASSWORD_RESET_DAILY_LIMIT reset emails per 24 hours (counted in
  the database, so a cache outage does not lift it);
- replay and races: a reset is consumed by one conditional UPDATE, so it sets a password at most once;
- disclosure: only keyed hashes are stored; the link and code travel in the outbox's encrypted context.
"""

from datetime import datetime, timedelta
from typing import Any, NoReturn

from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest

from apps.audit.models import AuditAction
from apps.audit.services import log_action, refuse
from apps.common import clock
from apps.common.exceptions import ApplicationError
from apps.common.links import frontend_link
from apps.common.one_time_secrets import EmailedSecrets, attempt_claim, clean_code
from apps.emails.services import PreparedEmail
from apps.users.account.services.email_change_voids import email_changes_void
from apps.users.auth.services.emailed_secrets import origin_audit, secret_email_request
from apps.users.auth.services.security_notices import security_notice_send
from apps.users.auth.services.sessions import sessions_revoke_all
from apps.users.models import (
    PASSWORD_RESET_DAILY_LIMIT,
    PASSWORD_RESET_LIFETIME,
    MfaChallenge,
    PasswordReset,
    User,
    normalize_email,
)
from apps.users.selectors import owned_by_email
from apps.users.validators import password_require_valid

SECRETS = EmailedSecrets("password_reset")
REQUEST_MESSAGE = (
    "If an account exists for this address, we have emailed it a link and a code to reset its password."
)
INVALID_LINK = "This password reset link is invalid or has already been used. Request a new one."
EXPIRED_LINK = "This password reset link has expired. Request a new one."
INVALID_CODE = "Invalid email or code. A code stops working after 5 tries: then request a new email."
EXPIRED_CODE = "This code has expired. Request a new password reset email."


def can_reset(user: User) -> bool:
    """Active accounts, and accounts still waiting for email verification; not deactivated or deleted ones."""
    return user.deleted_at is None and (user.is_active or not user.email_verified)


def _live() -> Q:
    return PasswordReset.pending()


def password_reset_request(*, email: str, request: HttpRequest | None) -> None:
    """Queue a reset email for `email`, whatever the address; the worker decides
    (password_reset_request_prepare)."""
    secret_email_request(
        email=email, template="password_reset", preparer="password_reset_request", request=request
    )


def password_reset_request_prepare(*, to: str, origin: dict[str, Any]) -> PreparedEmail | None:
    """In the worker: a fresh link and code for an account that may reset, or nothing (only the audit row).

    A new reset replaces the older pending ones. Runs inside the delivery's transaction; the user row lock
    serializes the daily count.
    """
    now = clock.now()
    user = User.objects.select_for_update().filter(email=to).first()
    audit = origin_audit(origin)
    if user is None or not can_reset(user):
        _nothing_sent(user=user, to=to, reason="no_account", audit=audit)
        return None
    if _sent_in_last_day(user, now) >= PASSWORD_RESET_DAILY_LIMIT:
        _nothing_sent(user=user, to=to, reason="daily_limit", audit=audit)
        return None
    PasswordReset.objects.filter(_live(), user=user).update(replaced_at=now, updated_at=now)
    issued = SECRETS.issue()
    row = PasswordReset.objects.create(
        user=user,
        token_hash=issued.token_hash,
        code_hash=issued.code_hash,
        expires_at=now + PASSWORD_RESET_LIFETIME,
        ip_address=origin.get("ip"),
    )
    log_action(
        user=user,
        action_type=AuditAction.PASSWORD_RESET_REQUESTED,
        description="Password reset email sent",
        object_type="PasswordReset",
        object_id=row.pk,
        metadata={"email": to[:254], "sent": True},
        **audit,
    )
    return PreparedEmail(
        to=user.email,
        context={"name": user.first_name or user.email},
        secret_context={
            "reset_url": frontend_link("reset_password", token=issued.token),
            "code": issued.code,
        },
    )


def _sent_in_last_day(user: User, now: datetime) -> int:
    # expires_at is set from the domain clock at creation, so it dates the request reliably
    since = now - timedelta(hours=24) + PASSWORD_RESET_LIFETIME
    return PasswordReset.objects.filter(user=user, expires_at__gt=since).count()


def password_reset_confirm_token(*, token: object, new_password: str, request: HttpRequest | None) -> User:
    """Set a new password with the link's token."""
    now = clock.now()
    hashes = SECRETS.token_hashes(token)
    row = (
        PasswordReset.objects.select_related("user").filter(token_hash__in=hashes).first() if hashes else None
    )
    if row is None:
        _refuse(INVALID_LINK, "invalid_token", request=request, reason="unknown_token")
    if row.used_at or row.replaced_at:
        _refuse(INVALID_LINK, "invalid_token", request=request, row=row, reason="used_or_replaced")
    if row.expires_at <= now:
        _refuse(EXPIRED_LINK, "expired", request=request, row=row, reason="expired")
    return _complete(row=row, new_password=new_password, request=request, now=now, via="link")


def password_reset_confirm_code(
    *, email: object, code: object, new_password: str, request: HttpRequest | None
) -> User:
    """Set a new password with the email address and the newest reset's code."""
    now = clock.now()
    email = normalize_email(email) if isinstance(email, str) else ""
    code = clean_code(code)
    row = None
    if email and code:
        row = (
            owned_by_email(PasswordReset.objects.select_related("user"), email)
            .order_by("-created_at", "-id")
            .first()
        )
    if row is None:
        _refuse(INVALID_CODE, "invalid_code", request=request, reason="no_reset", email=email)
    if not attempt_claim(row):
        _refuse(INVALID_CODE, "invalid_code", request=request, row=row, reason="dead", email=email)
    if not SECRETS.code_matches(token_hash=row.token_hash, code_hash=row.code_hash, code=code):
        _refuse(INVALID_CODE, "invalid_code", request=request, row=row, reason="wrong_code", email=email)
    if row.expires_at <= now:
        _refuse(EXPIRED_CODE, "expired", request=request, row=row, reason="expired", email=email)
    return _complete(row=row, new_password=new_password, request=request, now=now, via="code")


def _nothing_sent(*, user: User | None, to: str, reason: str, audit: dict[str, Any]) -> None:
    log_action(
        user=user,
        action_type=AuditAction.PASSWORD_RESET_REQUESTED,
        description="Password reset requested; nothing sent",
        metadata={"email": to[:254], "sent": False, "reason": reason},
        **audit,
    )


def _complete(  # noqa: RET503 — ends in _refuse, which raises (NoReturn)
    *, row: PasswordReset, new_password: str, request: HttpRequest | None, now: datetime, via: str
) -> User:
    """Consume the reset and set the password; sign out everywhere; tell the owner."""
    password_require_valid(new_password, user=row.user)  # now that the user is known: "too similar" too
    with transaction.atomic():
        user = User.objects.select_for_update().filter(id=row.user_id).first()
        # one conditional UPDATE decides: of concurrent confirmations of this reset, one gets here
        consumed = PasswordReset.objects.filter(_live(), id=row.pk, expires_at__gt=now).update(
            used_at=now, updated_at=now
        )
        if consumed and user is not None and can_reset(user):
            _apply(user=user, row=row, new_password=new_password, request=request, now=now, via=via)
            return user
    _refuse(INVALID_LINK, "invalid_token", request=request, row=row, reason="raced")


def _apply(
    *, user: User, row: PasswordReset, new_password: str, request: HttpRequest | None, now: datetime, via: str
) -> None:
    user.set_password(new_password)
    fields = ["password", "updated_at"]
    newly_verified = not user.email_verified
    if newly_verified:  # the secret came from this mailbox: that is what verification proves
        user.email_verified = user.is_active = True
        fields += ["email_verified", "is_active"]
    user.save(update_fields=fields)
    revoked = sessions_revoke_all(user=user, reason="password_reset")
    # a second factor pending after a login with the old password, or an email change it asked for, is void
    MfaChallenge.objects.filter(user=user, used_at__isnull=True).update(used_at=now)
    email_changes_void(user=user, reason="password_reset")
    if newly_verified:
        log_action(
            user=user,
            action_type=AuditAction.EMAIL_VERIFIED,
            request=request,
            description="Email verified by a password reset",
            object_type="PasswordReset",
            object_id=row.pk,
        )
    log_action(
        user=user,
        action_type=AuditAction.PASSWORD_RESET,
        request=request,
        description=f"Password reset by emailed {via}",
        object_type="PasswordReset",
        object_id=row.pk,
        metadata={"sessions_revoked": revoked, "via": via},
    )
    security_notice_send(user=user, kind="password_reset")


def _refuse(
    message: str,
    code: str,
    *,
    request: HttpRequest | None,
    reason: str,
    row: PasswordReset | None = None,
    email: str = "",
) -> NoReturn:
    refuse(
        ApplicationError(message, code=code),
        user=row.user if row else None,
        action_type=AuditAction.PASSWORD_RESET_FAILED,
        request=request,
        description=f"Password reset refused: {reason}",
        object_type="PasswordReset" if row else "",
        object_id=row.pk if row else "",
        metadata={"reason": reason, **({"email": email[:254]} if email else {})},
    )
