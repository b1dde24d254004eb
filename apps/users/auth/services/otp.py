"""Passwordless login with a six-digit code sent by email.

Threats and answers (numbers in docs/SECURITY.md):
- account discovery: a request answers the same and runs the same statements for every address: the lookup,
  the code and the email happen in the worker (apps.emails.services.email_request);
- guessing: a code dies after OTP_MAX_ATTEMPTS wrong tries, and each account has a daily budget of wrong tries
  kept in the database (apps.users.auth.services.failures);
- replay and races: a code is consumed by one conditional UPDATE, so it logs in at most once, on any database;
- disclosure: only a keyed hash of the code is stored; the code travels only in the encrypted outbox context.
"""

import secrets
from datetime import datetime, timedelta
from typing import Any, NoReturn

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, Q
from django.http import HttpRequest
from django.utils.crypto import constant_time_compare

from apps.audit.models import AuditAction
from apps.audit.services import log_action
from apps.common import clock
from apps.common.client_ip import request_origin
from apps.common.crypto import keyed_hash
from apps.common.exceptions import ApplicationError
from apps.emails.services import PreparedEmail, email_request
from apps.users.auth.services.failures import Factor, failure_record, paused_until_subquery, raise_if_paused
from apps.users.auth.services.login import login_complete
from apps.users.auth.services.security_notices import security_notice_send
from apps.users.auth.services.sessions import LoginResult, user_can_log_in
from apps.users.models import EmailOTP, User, normalize_email
from apps.users.selectors import owned_by_email

INVALID_CODE = "Invalid email or code."
EXPIRED_CODE = "This code has expired. Request a new one."
REQUEST_MESSAGE = "If this address belongs to an account, a login code is on its way."

_HASH_PURPOSE = "email-otp"
_NO_CODE_HASH = keyed_hash(_HASH_PURPOSE, "no-such-code")


def code_ttl_seconds() -> int:
    return settings.OTP_CODE_TTL_SECONDS


def _code_hash(user_id: int, code: str) -> str:
    return keyed_hash(_HASH_PURPOSE, f"{user_id}:{code}")


def _account_and_newest_code(email: str) -> tuple[User | None, EmailOTP | None, datetime | None]:
    """The account (with its TOTP device), its newest code and the end of its OTP pause: one query when there
    is a code."""
    codes = owned_by_email(EmailOTP.objects.select_related("user", "user__totp_device"), email)
    otp = (
        codes.annotate(otp_paused_until=paused_until_subquery(Factor.OTP, user_field="user_id"))
        .order_by("-id")
        .first()
    )
    if otp is not None:
        return otp.user, otp, otp.otp_paused_until
    users = User.objects.select_related("totp_device").annotate(
        otp_paused_until=paused_until_subquery(Factor.OTP)
    )
    user = users.filter(email=email).first()
    return user, None, user.otp_paused_until if user else None


def _live(otp: EmailOTP, now: datetime) -> Q:
    """The conditions under which `otp` may still be tried, checked by the database at UPDATE time."""
    newer = EmailOTP.objects.filter(user_id=otp.user_id, id__gt=otp.id)
    return Q(
        id=otp.id, used_at__isnull=True, expires_at__gt=now, failed_attempts__lt=settings.OTP_MAX_ATTEMPTS
    ) & ~Q(Exists(newer))


def otp_request(*, email: str, request: HttpRequest | None) -> None:
    """Queue a login code for `email`: one outbox request row and one publish, whatever the address.

    Whether the address gets a code is decided in the worker (otp_request_prepare), so the answer and the
    work done before it are the same for every address (docs/SECURITY.md, "Discovery-safe requests").
    """
    email_request(
        to=normalize_email(email),
        template="login_otp",
        preparer="otp_request",
        origin=request_origin(request),
    )


def otp_request_prepare(*, to: str, origin: dict[str, Any]) -> PreparedEmail | None:
    """In the worker: a fresh code for an account that can log in, or nothing for any other address.

    A new code replaces every older one of the account: only the newest code is ever accepted. While the
    account's OTP login is paused no code is made. Runs inside the delivery's transaction.
    """
    now = clock.now()
    user = User.objects.annotate(otp_paused_until=paused_until_subquery(Factor.OTP)).filter(email=to).first()
    paused = user is not None and user.otp_paused_until is not None and user.otp_paused_until > now
    audit = {"ip": origin.get("ip"), "user_agent": origin.get("user_agent", "")}
    if user is None or not user_can_log_in(user) or paused:
        log_action(
            user=user,
            action_type=AuditAction.OTP_REQUESTED,
            description="OTP requested; no code sent",
            metadata={"email": to[:254], "sent": False, "reason": "paused" if paused else "no_account"},
            **audit,
        )
        return None
    code = f"{secrets.randbelow(10**6):06d}"
    otp = EmailOTP.objects.create(
        user=user,
        code_hash=_code_hash(user.pk, code),
        expires_at=now + timedelta(seconds=code_ttl_seconds()),
        ip_address=origin.get("ip"),
    )
    log_action(
        user=user,
        action_type=AuditAction.OTP_REQUESTED,
        description="OTP requested",
        object_type="EmailOTP",
        object_id=otp.pk,
        metadata={"email": to[:254], "sent": True},
        **audit,
    )
    return PreparedEmail(
        to=user.email, context={"name": user.first_name or user.email}, secret_context={"otp_code": code}
    )


def otp_verify(*, email: str, code: str, request: HttpRequest | None) -> LoginResult:
    """Log in with the newest code of the account. Every failure but "expired" looks the same from outside.

    Wrong tries are recorded in their own committed transaction before the error is raised, so the error's
    rollback cannot undo them.
    """
    email = normalize_email(email)
    now = clock.now()
    user, otp, paused_until = _account_and_newest_code(email)
    if user is None or not user_can_log_in(user):
        constant_time_compare(_NO_CODE_HASH, _code_hash(0, code))
        _fail(user=user, email=email, request=request, reason="no_account")
    raise_if_paused(paused_until, now)

    if otp is None:
        constant_time_compare(_NO_CODE_HASH, _code_hash(user.pk, code))
        _fail(user=user, email=email, request=request, reason="no_code")
    if not constant_time_compare(otp.code_hash, _code_hash(user.pk, code)):
        _wrong_code(otp=otp, user=user, email=email, request=request, now=now)
    if otp.used_at is not None or otp.failed_attempts >= settings.OTP_MAX_ATTEMPTS:
        _fail(user=user, email=email, request=request, reason="used" if otp.used_at else "locked")
    if otp.expires_at <= now:
        _fail(
            user=user,
            email=email,
            request=request,
            reason="expired",
            message=EXPIRED_CODE,
            code="otp_expired",
        )

    with transaction.atomic():
        # The one statement that decides: of any number of concurrent requests with this code, one updates it.
        if not EmailOTP.objects.filter(_live(otp, now)).update(used_at=now, updated_at=now):
            raise ApplicationError(INVALID_CODE, code="invalid_otp")
        return login_complete(user=user, request=request, method="otp", audit_action=AuditAction.OTP_LOGIN)


def _fail(
    *,
    user: User | None,
    email: str,
    request: HttpRequest | None,
    reason: str,
    message: str = INVALID_CODE,
    code: str = "invalid_otp",
) -> NoReturn:
    with transaction.atomic(durable=True):
        _log_failure(user=user, email=email, request=request, reason=reason)
    raise ApplicationError(message, code=code)


def _log_failure(*, user: User | None, email: str, request: HttpRequest | None, reason: str) -> None:
    log_action(
        user=user,
        action_type=AuditAction.OTP_LOGIN_FAILED,
        request=request,
        description="OTP login failed",
        metadata={"email": email[:254], "reason": reason},
    )


def _wrong_code(
    *, otp: EmailOTP, user: User, email: str, request: HttpRequest | None, now: datetime
) -> NoReturn:
    """Count a wrong try against the live code and the account's budget, commit that, then raise.

    The count moves by compare-and-swap, so under concurrency exactly one request sees the try that kills
    the code, and a code never takes more than OTP_MAX_ATTEMPTS tries.
    """
    limit = settings.OTP_MAX_ATTEMPTS
    with transaction.atomic(durable=True):
        seen, counted = otp.failed_attempts, None
        while seen < limit:
            if EmailOTP.objects.filter(_live(otp, now), failed_attempts=seen).update(
                failed_attempts=F("failed_attempts") + 1, updated_at=now
            ):
                counted = seen + 1
                break
            current = (
                EmailOTP.objects.filter(_live(otp, now)).values_list("failed_attempts", flat=True).first()
            )
            if current is None:
                break
            seen = current
        _log_failure(user=user, email=email, request=request, reason="wrong_code" if counted else "dead_code")
        if counted == limit:
            log_action(
                user=user,
                action_type=AuditAction.OTP_KILLED,
                request=request,
                description=f"OTP code dead after {limit} wrong attempts",
                object_type="EmailOTP",
                object_id=otp.pk,
            )
        if counted:
            paused_until = failure_record(user=user, factor=Factor.OTP)
            if paused_until:
                _notify_paused(user=user, paused_until=paused_until, request=request)
    raise ApplicationError(INVALID_CODE, code="invalid_otp")


def _notify_paused(*, user: User, paused_until: datetime, request: HttpRequest | None) -> None:
    log_action(
        user=user,
        action_type=AuditAction.OTP_PAUSED,
        request=request,
        description="Too many wrong login codes; email-code login paused",
        metadata={"paused_until": paused_until.isoformat()},
    )
    security_notice_send(
        user=user, kind="otp_paused", context={"until": paused_until.strftime("%Y-%m-%d %H:%M UTC")}
    )
