"""Passwordless login with a six-digit code sent by email.

Threats and answers (numbers in docs/SECURITY.md):
- account discovery: a request answers the same and runs the same statements for every address: the lookup,
  the code and the email happen in the worker (apps.emails.services.email_request);
- guessing: a code dies after OTP_MAX_ATTEMPTS wrong tries, and each account has a daily budget of wrong tries
  kept in the database (apps.users.auth.services.failures);
- replay and races: every try is handed out by one conditional UPDATE (apps.common.one_time_secrets
  .attempt_claim); a right code's try also consumes it, so it logs in at most once, on any database, and no
  guess is judged past the limit however many race;
- disclosure: only a keyed hash of the code is stored; the code travels only in the encrypted outbox context.
"""

import functools
from datetime import datetime, timedelta
from typing import Any, NoReturn, cast

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, Field, Q
from django.http import HttpRequest

from apps.audit.models import AuditAction
from apps.audit.services import log_action
from apps.common import clock
from apps.common.exceptions import ApplicationError
from apps.common.one_time_secrets import SecretHasher, attempt_claim, new_code
from apps.common.sql import Columns, convert, converters, fetch_one
from apps.emails.services import PreparedEmail
from apps.users.auth.services.emailed_secrets import origin_audit, secret_email_request
from apps.users.auth.services.failures import Factor, failure_record, raise_if_paused
from apps.users.auth.services.login import login_complete
from apps.users.auth.services.security_notices import security_notice_send
from apps.users.auth.services.sessions import LoginResult, user_can_log_in
from apps.users.models import AuthFailureWindow, EmailOTP, TotpDevice, User, normalize_email

INVALID_CODE = "Invalid email or code."
EXPIRED_CODE = "This code has expired. Request a new one."
REQUEST_MESSAGE = "If this address belongs to an account, a login code is on its way."

CODES = SecretHasher("email-otp")  # bound to the user id
_NO_CODE_HASH = CODES.hash("no", "such-code")


def code_ttl_seconds() -> int:
    return settings.OTP_CODE_TTL_SECONDS


@functools.cache
def _statements() -> tuple[str, str, Columns, Columns, Columns, "Field[Any, Any]"]:
    """Two SELECTs, written by hand (docs/PERFORMANCE.md, round 6): the newest code with the account,
    its TOTP device and its OTP pause; and, for an account without codes, the same without the code.

    They are the statements the ORM built for select_related and the pause annotation, but building them
    cost the request three times what running them did. The code is found by the account's id, looked up
    first, through the (user, -id) index: joining on the address let Postgres walk the whole table backwards
    by id (apps/users/tests/test_code_lookup_plans.py).
    """
    quote = connection.ops.quote_name
    user, device, code = Columns(User, "u"), Columns(TotpDevice, "d"), Columns(EmailOTP, "o")
    pause = AuthFailureWindow._meta.get_field("paused_until")
    users, devices, codes, windows = (
        quote(model._meta.db_table) for model in (User, TotpDevice, EmailOTP, AuthFailureWindow)
    )
    user_id, email = quote(User._meta.pk.column), quote(User._meta.get_field("email").column)
    device_user = quote(TotpDevice._meta.get_field("user").column)
    code_id, code_user = quote(EmailOTP._meta.pk.column), quote(EmailOTP._meta.get_field("user").column)
    window_user = quote(AuthFailureWindow._meta.get_field("user").column)
    window_factor = quote(AuthFailureWindow._meta.get_field("factor").column)
    # names from the models, values as parameters
    joins = (
        f" LEFT JOIN {devices} d ON d.{device_user} = u.{user_id}"
        f" LEFT JOIN {windows} w ON w.{window_user} = u.{user_id} AND w.{window_factor} = %s"
    )
    newest_code = (
        f"SELECT {user.select}, {device.select}, w.{quote(pause.column)}, {code.select}"  # noqa: S608
        f" FROM {codes} o INNER JOIN {users} u ON u.{user_id} = o.{code_user}{joins}"
        f" WHERE o.{code_user} = (SELECT {user_id} FROM {users} WHERE {email} = %s LIMIT 1)"
        f" ORDER BY o.{code_id} DESC LIMIT 1"
    )
    account = (
        f"SELECT {user.select}, {device.select}, w.{quote(pause.column)}"  # noqa: S608
        f" FROM {users} u{joins} WHERE u.{email} = %s"
    )
    return newest_code, account, user, device, code, pause


def _account_and_newest_code(
    email: str, *, code: bool = True
) -> tuple[User | None, EmailOTP | None, datetime | None]:
    """The account (with its TOTP device), its newest code and the end of its OTP pause: one query when there
    is a code (with code=False, the account and its pause alone: one query)."""
    newest_code, account, user_columns, device_columns, code_columns, pause = _statements()
    row = fetch_one(newest_code, [Factor.OTP, email]) if code else None
    if row is None:
        row = fetch_one(account, [Factor.OTP, email])
        if row is None:
            return None, None, None
    user = cast(User, user_columns.take(row, 0))  # the WHERE matched it: never None
    device = cast(TotpDevice | None, device_columns.take(row, len(user_columns)))
    paused_at = len(user_columns) + len(device_columns)
    paused_until = cast(datetime | None, convert(row[paused_at], converters(pause, "w")))
    otp = cast(EmailOTP | None, code_columns.take(row, paused_at + 1)) if len(row) > paused_at + 1 else None
    # cached as select_related would: mfa_is_enabled(user) and otp.user ask nothing more
    User.totp_device.related.set_cached_value(user, device)
    if device is not None:
        TotpDevice.user.field.set_cached_value(device, user)
    if otp is not None:
        EmailOTP.user.field.set_cached_value(otp, user)
    return user, otp, paused_until


def _live(otp: EmailOTP, now: datetime) -> Q:
    """Besides unused and under the limit: unexpired and the newest (checked by the database at UPDATE)."""
    newer = EmailOTP.objects.filter(user_id=otp.user_id, id__gt=otp.id)
    return Q(expires_at__gt=now) & ~Q(Exists(newer))


def otp_request(*, email: str, request: HttpRequest | None) -> None:
    """Queue a login code for `email`, whatever the address; the worker decides (otp_request_prepare)."""
    secret_email_request(email=email, template="login_otp", preparer="otp_request", request=request)


def otp_request_prepare(*, to: str, origin: dict[str, Any]) -> PreparedEmail | None:
    """In the worker: a fresh code for an account that can log in, or nothing for any other address.

    A new code replaces every older one of the account: only the newest code is ever accepted. While the
    account's OTP login is paused no code is made. Runs inside the delivery's transaction.
    """
    now = clock.now()
    user, _, paused_until = _account_and_newest_code(to, code=False)
    paused = paused_until is not None and paused_until > now
    audit = origin_audit(origin)
    if user is None or not user_can_log_in(user) or paused:
        log_action(
            user=user,
            action_type=AuditAction.OTP_REQUESTED,
            description="OTP requested; no code sent",
            metadata={"email": to[:254], "sent": False, "reason": "paused" if paused else "no_account"},
            **audit,
        )
        return None
    code = new_code()
    otp = EmailOTP.objects.create(
        user=user,
        code_hash=CODES.hash(user.pk, code),
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
        CODES.matches(_NO_CODE_HASH, 0, code)
        _fail(user=user, email=email, request=request, reason="no_account")
    raise_if_paused(paused_until, now)

    if otp is None:
        CODES.matches(_NO_CODE_HASH, user.pk, code)
        _fail(user=user, email=email, request=request, reason="no_code")
    if not CODES.matches(otp.code_hash, user.pk, code):
        _wrong_code(otp=otp, user=user, email=email, request=request, now=now)
    if otp.used_at is not None or otp.is_spent:
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
        # The one statement that decides: of any number of concurrent requests with this code, one gets a try
        # and consumes the code with it.
        if not attempt_claim(otp, live=_live(otp, now), use_at=now):
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
    """Spend a try of the live code (committed), count it against the account's budget, then raise.

    The database numbers the tries, so under concurrency exactly one request spends the last one, and a code
    never takes more than OTP_MAX_ATTEMPTS tries.
    """
    counted = attempt_claim(otp, live=_live(otp, now))
    with transaction.atomic(durable=True):
        _log_failure(user=user, email=email, request=request, reason="wrong_code" if counted else "dead_code")
        if counted == otp.attempt_limit():
            log_action(
                user=user,
                action_type=AuditAction.OTP_KILLED,
                request=request,
                description=f"OTP code dead after {counted} wrong attempts",
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
