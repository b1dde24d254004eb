"""Reauthentication: a fresh proof of identity, given on one login session, before a sensitive change.

Threats and answers (rule and numbers in docs/SECURITY.md, "Reauthentication"):
- a stolen access token, or a device left signed in, must not be enough to take the account over: turning
  MFA on, new recovery codes, an email change, signing out the other sessions and deleting the account need a
  proof given on this session within REAUTHENTICATION_MINUTES, else 403 `reauthentication_required`;
- the proof is recorded on the session's own row (`LoginSession.reauthenticated_at`): it does not carry over
  to another session of the account, and a token refresh does not renew it. A login counts as a proof;
- the emailed code: six digits, stored as a keyed hash, bound to the session that asked for it, one live code
  per account, 5 tries per code (each try claimed before the comparison), and wrong tries count against the
  account's budget in the database (apps.users.auth.services.failures), as for email-code login.
"""

from datetime import datetime, timedelta
from typing import NoReturn

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, Q
from django.http import HttpRequest

from apps.audit.models import AuditAction
from apps.audit.services import log_action, refuse
from apps.common import clock
from apps.common.exceptions import ApplicationError, AuthenticationFailed, ReauthenticationRequired
from apps.common.one_time_secrets import SecretHasher, attempt_claim, clean_code, new_code
from apps.emails.services import email_send
from apps.users.auth.services.failures import Factor, factor_paused_until, failure_record, raise_if_paused
from apps.users.auth.services.passwords import current_password_check, password_budget_recheck
from apps.users.auth.services.security_notices import security_notice_send
from apps.users.auth.services.sessions import SessionId
from apps.users.mfa.services.mfa import mfa_is_enabled, mfa_reauthenticate
from apps.users.models import (
    REAUTHENTICATION_CODE_LIFETIME,
    LoginSession,
    ReauthenticationCode,
    User,
)

REQUIRED = "Confirm it's you first: this change needs a recent proof of identity on this session."
SESSION_ENDED = "This session has ended. Sign in again."
INVALID_CODE = "Invalid code. A code stops working after 5 tries: then ask for a new one."
EXPIRED_CODE = "This code has expired. Ask for a new one."
CODES = SecretHasher("reauthentication-code")  # bound to the session that asked


def reauthentication_window() -> timedelta:
    return timedelta(minutes=settings.REAUTHENTICATION_MINUTES)


def reauthentication_methods(user: User) -> list[str]:
    """The ways this account can reauthenticate, in the order a client would offer them."""
    methods = ["password"] if user.has_usable_password() else []
    methods.append("email_code")
    if mfa_is_enabled(user):
        methods += ["totp", "recovery_code"]
    return methods


def reauthentication_check(*, user: User, session_id: SessionId | None) -> None:
    """Pass if `session_id` (the session of the request's access token) gave a proof within the window."""
    since = clock.now() - reauthentication_window()
    fresh = (
        session_id is not None
        and LoginSession.objects.filter(
            id=session_id, user=user, revoked_at__isnull=True, reauthenticated_at__gt=since
        ).exists()
    )
    if not fresh:
        raise ReauthenticationRequired(REQUIRED, methods=reauthentication_methods(user))


def _record(
    *, user: User, session_id: SessionId | None, method: str, request: HttpRequest | None
) -> datetime:
    """Mark the session freshly reauthenticated; returns until when. Refused when the session is gone."""
    now = clock.now()
    with transaction.atomic():
        marked = session_id is not None and LoginSession.objects.filter(
            id=session_id, user=user, revoked_at__isnull=True
        ).update(reauthenticated_at=now)
        if not marked:
            raise AuthenticationFailed(SESSION_ENDED, code="session_ended")
        log_action(
            user=user,
            action_type=AuditAction.REAUTHENTICATED,
            request=request,
            description=f"Reauthenticated by {method}",
            object_type="LoginSession",
            object_id=session_id,
            metadata={"method": method},
        )
    return now + reauthentication_window()


def _refuse(message: str, code: str, *, user: User, request: HttpRequest | None, reason: str) -> NoReturn:
    refuse(
        ApplicationError(message, code=code),
        user=user,
        action_type=AuditAction.REAUTHENTICATION_FAILED,
        request=request,
        description=f"Reauthentication refused: {reason}",
        metadata={"reason": reason},
    )


def reauthenticate_password(
    *, user: User, session_id: SessionId | None, password: str, request: HttpRequest | None
) -> datetime:
    """A wrong password counts against the account's PASSWORD budget (apps.users.auth.services.passwords)."""
    current_password_check(
        user=user, password=password, request=request, audit_action=AuditAction.REAUTHENTICATION_FAILED
    )
    with transaction.atomic():
        password_budget_recheck(user=user)
        return _record(user=user, session_id=session_id, method="password", request=request)


def reauthenticate_mfa(
    *,
    user: User,
    session_id: SessionId | None,
    code: str | None,
    recovery_code: str | None,
    request: HttpRequest | None,
) -> datetime:
    """A TOTP code or a recovery code; spent, budgeted and audited as at login (mfa.services.mfa)."""
    mfa_reauthenticate(user=user, code=code, recovery_code=recovery_code, request=request)
    method = "totp" if code is not None else "recovery_code"
    return _record(user=user, session_id=session_id, method=method, request=request)


def _live(row: ReauthenticationCode) -> Q:
    newer = ReauthenticationCode.objects.filter(user_id=row.user_id, id__gt=row.id)
    return ReauthenticationCode.pending() & ~Q(Exists(newer))


def reauthentication_code_request(
    *, user: User, session_id: SessionId | None, request: HttpRequest | None
) -> None:
    """Email a code for this session to the account's address. It replaces any earlier code of the account.

    While the account's code budget is spent (see reauthenticate_email_code) no code is made: 429.
    """
    now = clock.now()
    raise_if_paused(factor_paused_until(user=user, factor=Factor.REAUTH), now)
    code = new_code()
    with transaction.atomic():
        if (
            session_id is None
            or not LoginSession.objects.filter(id=session_id, user=user, revoked_at__isnull=True).exists()
        ):
            raise AuthenticationFailed(SESSION_ENDED, code="session_ended")
        row = ReauthenticationCode.objects.create(
            user=user,
            session_id=session_id,
            code_hash=CODES.hash(session_id, code),
            created_at=now,
            expires_at=now + REAUTHENTICATION_CODE_LIFETIME,
        )
        ReauthenticationCode.objects.filter(user=user, id__lt=row.id).delete()
        email_send(
            to=user.email,
            template="reauthentication_code",
            context={"name": user.first_name or user.email},
            secret_context={"code": code},
        )
        log_action(
            user=user,
            action_type=AuditAction.REAUTHENTICATION_CODE_SENT,
            request=request,
            object_type="LoginSession",
            object_id=session_id,
        )


def reauthenticate_email_code(
    *, user: User, session_id: SessionId | None, code: object, request: HttpRequest | None
) -> datetime:
    """Reauthenticate with the account's newest code, on the session that asked for it.

    A try is claimed before the code is compared (5 per code, exact under races); a wrong code also counts
    against the account's budget, committed before the error.
    """
    now = clock.now()
    code = clean_code(code)
    raise_if_paused(factor_paused_until(user=user, factor=Factor.REAUTH), now)
    row = ReauthenticationCode.objects.filter(user=user).order_by("-id").first()
    if row is None or not code or session_id is None or str(row.session_id) != str(session_id):
        _refuse(INVALID_CODE, "invalid_code", user=user, request=request, reason="no_code")
    live = _live(row)
    if not attempt_claim(row, live=live):
        _refuse(INVALID_CODE, "invalid_code", user=user, request=request, reason="dead_code")
    if not CODES.matches(row.code_hash, row.session_id, code):
        _wrong_code(user=user, request=request)
    if row.expires_at <= now:
        _refuse(EXPIRED_CODE, "expired", user=user, request=request, reason="expired")
    with transaction.atomic():
        # single use, decided by the database: of concurrent right answers one updates the row
        if not ReauthenticationCode.objects.filter(live, id=row.pk, expires_at__gt=now).update(used_at=now):
            raise ApplicationError(INVALID_CODE, code="invalid_code")
        return _record(user=user, session_id=session_id, method="email_code", request=request)


def _wrong_code(*, user: User, request: HttpRequest | None) -> NoReturn:
    def spend_budget() -> None:
        paused_until = failure_record(user=user, factor=Factor.REAUTH)
        if paused_until:
            until = paused_until.strftime("%Y-%m-%d %H:%M UTC")
            log_action(
                user=user,
                action_type=AuditAction.REAUTHENTICATION_FAILED,
                request=request,
                description=f"Too many wrong confirmation codes; emailed codes paused until {until}",
                metadata={"reason": "paused", "paused_until": paused_until.isoformat()},
            )
            security_notice_send(user=user, kind="reauthentication_paused", context={"until": until})

    refuse(
        ApplicationError(INVALID_CODE, code="invalid_code"),
        also=spend_budget,
        user=user,
        action_type=AuditAction.REAUTHENTICATION_FAILED,
        request=request,
        description="Reauthentication refused: wrong_code",
        metadata={"reason": "wrong_code"},
    )
