"""Email verification: issue a link token and a 6-digit code, verify either one, resend.

Neither secret is stored: the row keeps HMAC-SHA256 digests keyed from SECRET_KEY, and the raw values exist
only in the email's encrypted secret context until it is sent. Each try of the code is handed out by the
database (apps.common.one_time_secrets.attempt_claim) and each wrong one counts against the account's budget
(apps.users.auth.services.failures, factor email_verification). Design and limits: docs/SECURITY.md.
"""

from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from apps.audit.models import AuditAction
from apps.audit.services import log_action
from apps.common import clock
from apps.common.exceptions import ApplicationError
from apps.common.links import frontend_link
from apps.common.one_time_secrets import EmailedSecrets, attempt_claim, clean_code
from apps.emails.services import PreparedEmail, email_send
from apps.users.auth.services.emailed_secrets import origin_audit, secret_email_request
from apps.users.auth.services.failures import Factor, failure_record, paused_until_subquery
from apps.users.models import (
    EMAIL_VERIFICATION_LIFETIME,
    EmailVerification,
    User,
    normalize_email,
)
from apps.users.selectors import owned_by_email

SECRETS = EmailedSecrets("email_verification")
_Row = TypeVar("_Row", bound=EmailVerification)


@dataclass(frozen=True)
class VerificationResult:
    user: User
    already_verified: bool


@dataclass(frozen=True)
class _Refusal:
    message: str
    code: str


TOKEN_REQUIRED = _Refusal("Verification token is required.", "token_required")
INVALID_TOKEN = _Refusal("Invalid verification token.", "invalid_token")
INVALID_CODE = _Refusal("Invalid email or verification code.", "invalid_code")
TOO_MANY_ATTEMPTS = _Refusal(
    "Too many wrong codes. Use the link in the email, or request a new verification email.",
    "too_many_attempts",
)
EXPIRED = _Refusal("Verification link has expired. Request a new verification email.", "expired")
REPLACED = _Refusal(
    "This verification link was replaced by a newer one. Use the most recent email.", "replaced"
)


def _code_matches(row: EmailVerification, code: str) -> bool:
    return SECRETS.code_matches(token_hash=row.token_hash, code_hash=row.code_hash, code=code)


def _display_name(user: User) -> str:
    return user.first_name or user.email


def _issue(*, user: User) -> tuple[EmailVerification, PreparedEmail]:
    issued = SECRETS.issue()
    row = EmailVerification.objects.create(
        user=user,
        token_hash=issued.token_hash,
        code_hash=issued.code_hash,
        expires_at=clock.now() + EMAIL_VERIFICATION_LIFETIME,
    )
    email = PreparedEmail(
        to=user.email,
        context={"name": _display_name(user)},
        secret_context={
            "verification_url": frontend_link("verify_email", token=issued.token),
            "code": issued.code,
        },
    )
    return row, email


def verification_issue(*, user: User) -> EmailVerification:
    """Create a verification and queue its email (link + code). Call inside the caller's transaction."""
    row, email = _issue(user=user)
    email_send(
        to=email.to, template="verify_email", context=email.context, secret_context=email.secret_context
    )
    return row


def _locked(queryset: QuerySet[_Row]) -> QuerySet[_Row]:
    """Newest first, each row locked together with its user row (Postgres; SQLite serializes writers).

    Locking the user serializes the link verifications of one account (one link clicked twice at once, a click
    racing a resend).
    """
    return queryset.select_related("user").select_for_update().order_by("-created_at")


def _complete(
    *, row: EmailVerification, request: HttpRequest | None, by_code: bool = False
) -> VerificationResult | _Refusal:
    """Verify a row whose secret matched, inside a transaction. A code wins only with a try of its own."""
    user = row.user
    if row.verified_at or user.email_verified:
        return VerificationResult(user=user, already_verified=True)
    if row.replaced_at:
        return REPLACED
    now = clock.now()
    if row.expires_at <= now:
        return EXPIRED
    # conditional, so a second concurrent verification of the same row changes nothing
    if by_code:
        if not attempt_claim(row, live=Q(expires_at__gt=now), use_at=now):
            # raced: verified by another request, replaced by a resend, or its last try went to a guess
            row.refresh_from_db(fields=["verified_at", "replaced_at"])
            if row.verified_at:
                return VerificationResult(user=user, already_verified=True)
            return REPLACED if row.replaced_at else TOO_MANY_ATTEMPTS
    elif not EmailVerification.objects.filter(id=row.id, verified_at__isnull=True).update(
        verified_at=now, updated_at=now
    ):
        return VerificationResult(user=user, already_verified=True)
    User.objects.filter(id=user.id).update(is_active=True, email_verified=True, updated_at=now)
    user.is_active, user.email_verified = True, True
    email_send(to=user.email, template="welcome", context={"name": _display_name(user)})
    log_action(
        user=user,
        action_type=AuditAction.EMAIL_VERIFIED,
        request=request,
        description="Email verified",
        object_type="EmailVerification",
        object_id=row.id,
    )
    return VerificationResult(user=user, already_verified=False)


def _log_failure(
    *, refusal: _Refusal, request: HttpRequest | None, row: EmailVerification | None = None, email: str = ""
) -> None:
    log_action(
        user=row.user if row else None,
        action_type=AuditAction.EMAIL_VERIFICATION_FAILED,
        request=request,
        description=f"Email verification failed: {refusal.code}",
        object_type="EmailVerification" if row else "",
        object_id=row.id if row else "",
        metadata={"reason": refusal.code, **({"email": email[:254]} if email else {})},
    )


def _finish(outcome: VerificationResult | _Refusal) -> VerificationResult:
    if isinstance(outcome, _Refusal):
        raise ApplicationError(outcome.message, code=outcome.code)
    return outcome


def email_verify_token(*, token: object, request: HttpRequest | None) -> VerificationResult:
    """Verify by the link's token. A refusal's audit row is committed before the error is raised."""
    if not isinstance(token, str) or not token.strip():
        raise ApplicationError(TOKEN_REQUIRED.message, code=TOKEN_REQUIRED.code)
    token = token.strip()
    with transaction.atomic(durable=True):
        row = None
        hashes = SECRETS.token_hashes(token)
        if hashes:
            row = _locked(EmailVerification.objects.filter(token_hash__in=hashes)).first()
        outcome: VerificationResult | _Refusal
        outcome = _complete(row=row, request=request) if row else INVALID_TOKEN
        if isinstance(outcome, _Refusal):
            _log_failure(refusal=outcome, request=request, row=row)
    return _finish(outcome)


def email_verify_code(*, email: object, code: object, request: HttpRequest | None) -> VerificationResult:
    """Verify by email + 6-digit code. A wrong code spends a try and the account's budget, committed first.

    Unknown email, no pending verification and a wrong code all get the same answer; "expired" and "already
    verified" are only told to someone who presents the right code. A code takes
    EMAIL_VERIFICATION_MAX_ATTEMPTS tries, and an account EMAIL_VERIFICATION_FAILURE_BUDGET wrong codes per
    AUTH_FAILURE_WINDOW_HOURS across all its verifications (then codes are refused with too_many_attempts;
    the link keeps working).
    """
    # A NUL cannot be stored or even compared by Postgres: such an address is simply not one of ours.
    email = normalize_email(email) if isinstance(email, str) and "\x00" not in email else ""
    code = clean_code(code)
    row = None
    if email and code:
        row = (
            owned_by_email(EmailVerification.objects.select_related("user"), email)
            .filter(replaced_at__isnull=True)
            .annotate(paused_until=paused_until_subquery(Factor.EMAIL_VERIFICATION, user_field="user_id"))
            .order_by("-created_at")
            .first()
        )
    if row is None or ((row.verified_at or row.user.email_verified) and not _code_matches(row, code)):
        return _refused(INVALID_CODE, request=request, row=row, email=email)
    if row.verified_at or row.user.email_verified:
        outcome = _complete(row=row, request=request)  # tells "already verified" to the right code only
    elif row.is_spent or (row.paused_until is not None and row.paused_until > clock.now()):
        return _refused(TOO_MANY_ATTEMPTS, request=request, row=row, email=email)
    elif _code_matches(row, code):
        with transaction.atomic(durable=True):
            outcome = _complete(row=row, request=request, by_code=True)
            if isinstance(outcome, _Refusal):
                _log_failure(refusal=outcome, request=request, row=row, email=email)
        return _finish(outcome)
    else:
        counted = attempt_claim(row)  # committed before the comparison's result is acted on
        with transaction.atomic(durable=True):
            paused = failure_record(user=row.user, factor=Factor.EMAIL_VERIFICATION) if counted else None
            spent = not counted or counted >= row.attempt_limit() or paused is not None
            outcome = TOO_MANY_ATTEMPTS if spent else INVALID_CODE
            _log_failure(refusal=outcome, request=request, row=row, email=email)
    return _finish(outcome)


def _refused(
    refusal: _Refusal, *, request: HttpRequest | None, row: EmailVerification | None, email: str
) -> VerificationResult:
    """Audit the refusal in its own committed transaction, then raise."""
    with transaction.atomic(durable=True):
        _log_failure(refusal=refusal, request=request, row=row, email=email)
    return _finish(refusal)


def verification_resend(*, email: str, request: HttpRequest | None) -> None:
    """Queue a fresh verification email for `email`, whatever the address; the worker decides
    (verification_resend_prepare)."""
    secret_email_request(
        email=email, template="verify_email", preparer="verification_resend", request=request
    )


def verification_resend_prepare(*, to: str, origin: dict[str, Any]) -> PreparedEmail | None:
    """In the worker: a fresh link and code for an unverified account, whose earlier pending ones stop
    working; nothing (only the audit row) for an unknown or already verified address. Runs inside the
    delivery's transaction."""
    user = User.objects.filter(email=to).first()
    audit = origin_audit(origin)
    if user is None or user.email_verified:
        log_action(
            user=user,
            action_type=AuditAction.VERIFICATION_RESENT,
            description="Verification resend requested; nothing sent",
            metadata={"email": to[:254], "sent": False},
            **audit,
        )
        return None
    now = clock.now()
    pending = EmailVerification.objects.filter(user=user, verified_at__isnull=True, replaced_at__isnull=True)
    pending.update(replaced_at=now, updated_at=now)
    row, email = _issue(user=user)
    log_action(
        user=user,
        action_type=AuditAction.VERIFICATION_RESENT,
        description="Verification email resent",
        object_type="EmailVerification",
        object_id=row.id,
        metadata={"sent": True},
        **audit,
    )
    return email
