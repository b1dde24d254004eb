"""TOTP multi-factor authentication (RFC 6238, pyotp), recovery codes, and the login challenge.

- The TOTP seed is encrypted at rest with keys from settings (MFA_ENCRYPTION_KEY, default derived from
  SECRET_KEY; several for rotation), so a database dump alone does not reveal it.
- A code is accepted for the current 30-second step or one step either side, and only for a step later than
  the last one accepted: a conditional UPDATE of last_used_step, so a code cannot be replayed, even
  concurrently.
- Ten recovery codes, shown once, stored as keyed hashes, each consumed by a conditional UPDATE.
- The challenge between the first factor and this one: a random token for the client, a keyed hash for us,
  short-lived, single use, dead after MFA_CHALLENGE_MAX_ATTEMPTS wrong codes (tries handed out by
  apps.common.one_time_secrets.attempt_claim).
- Wrong TOTP codes also count against the account's MFA budget (apps.users.auth.services.failures).
"""

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

import pyotp
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils.crypto import constant_time_compare

from apps.audit.models import AuditAction
from apps.audit.services import log_action
from apps.common import clock
from apps.common.crypto import SecretBox, keyed_hash
from apps.common.exceptions import ApplicationError, AuthenticationFailed, Conflict
from apps.common.one_time_secrets import attempt_claim
from apps.users.account.services.email_change_voids import email_changes_void
from apps.users.auth.services.failures import (
    Factor,
    factor_paused_until,
    failure_record,
    raise_if_paused,
    raise_if_paused_locked,
)
from apps.users.auth.services.security_notices import security_notice_send
from apps.users.auth.services.sessions import LoginResult, session_start, user_can_log_in
from apps.users.models import MfaChallenge, RecoveryCode, TotpDevice, User

INVALID_MFA_CODE = "Invalid two-factor code."
CHALLENGE_INVALID = "This sign-in attempt is invalid or has expired. Sign in again."
STEP_SECONDS = 30
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i

_seed_box = SecretBox("totp-secret", "MFA_ENCRYPTION_KEY", stored_in=("users.TotpDevice", "secret_encrypted"))


class _WrongFactor(Exception):
    """The second factor was refused; raised inside a transaction so that it rolls back.

    `guess` is False for a right TOTP code whose step was already used (a replay, or the loser of a race):
    refused like a wrong code, but not counted against the account's guessing budget, since it is no guess.
    """

    def __init__(self, guess: bool = True):
        super().__init__()
        self.guess = guess


@dataclass(frozen=True)
class Enrolment:
    secret: str
    otpauth_uri: str


def mfa_is_enabled(user: User) -> bool:
    try:
        device = user.totp_device
    except TotpDevice.DoesNotExist:
        return False
    return device.confirmed_at is not None


def _confirmed_device(user: User) -> TotpDevice | None:
    return TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).first()


@transaction.atomic
def mfa_enrol(*, user: User) -> Enrolment:
    """Start (or restart) enrolment with a fresh seed. MFA is not on until mfa_confirm."""
    device = TotpDevice.objects.select_for_update().filter(user=user).first()
    if device is not None and device.confirmed_at is not None:
        raise Conflict("Two-factor authentication is already on; turn it off first.", code="mfa_enabled")
    secret = pyotp.random_base32()
    TotpDevice.objects.update_or_create(
        user=user,
        defaults={
            "secret_encrypted": _seed_box.encrypt(secret),
            "confirmed_at": None,
            "last_used_step": None,
        },
    )
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=settings.MFA_ISSUER)
    return Enrolment(secret=secret, otpauth_uri=uri)


def _totp_step(device: TotpDevice, code: str, now: datetime) -> int | None:
    """The time step within one of now whose code is `code`, if any."""
    totp = pyotp.TOTP(_seed_box.decrypt(device.secret_encrypted))
    current = int(now.timestamp()) // STEP_SECONDS
    matched = None
    for step in (current - 1, current, current + 1):
        if constant_time_compare(totp.generate_otp(step), code) and matched is None:
            matched = step
    return matched


def _claim_totp(device: TotpDevice, code: str, now: datetime) -> None:
    """Use up the step of `code`, or raise _WrongFactor. Only a step later than the last used one is taken."""
    step = _totp_step(device, code, now)
    if step is None:
        raise _WrongFactor
    unused = Q(last_used_step__isnull=True) | Q(last_used_step__lt=step)
    if not TotpDevice.objects.filter(unused, pk=device.pk).update(last_used_step=step, updated_at=now):
        raise _WrongFactor(guess=False)


def _recovery_hash(user: User, code: str) -> str:
    normalized = "".join(code.lower().split()).replace("-", "")
    return keyed_hash("mfa-recovery", f"{user.pk}:{normalized}")


def _recovery_codes_issue(user: User) -> list[str]:
    RecoveryCode.objects.filter(user=user).delete()
    codes = []
    for _ in range(settings.MFA_RECOVERY_CODES):
        raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    RecoveryCode.objects.bulk_create(
        [RecoveryCode(user=user, code_hash=_recovery_hash(user, c)) for c in codes]
    )
    return codes


def _claim_recovery(user: User, code: str, now: datetime) -> bool:
    return bool(
        RecoveryCode.objects.filter(
            user=user, code_hash=_recovery_hash(user, code), used_at__isnull=True
        ).update(used_at=now)
    )


def mfa_confirm(*, user: User, code: str, request: HttpRequest | None) -> list[str]:
    """Turn MFA on with a first code from the app.

    Returns the recovery codes; this is the only time they are shown."""
    now = clock.now()
    with transaction.atomic():
        device = TotpDevice.objects.select_for_update().filter(user=user).first()
        if device is None:
            raise ApplicationError("Start enrolment first.", code="mfa_not_enrolling")
        if device.confirmed_at is not None:
            raise Conflict("Two-factor authentication is already on.", code="mfa_enabled")
        try:
            _claim_totp(device, code, now)
        except _WrongFactor:
            raise ApplicationError(INVALID_MFA_CODE, code="invalid_mfa_code") from None
        TotpDevice.objects.filter(pk=device.pk).update(confirmed_at=now, updated_at=now)
        codes = _recovery_codes_issue(user)
        email_changes_void(user=user, reason="mfa_enabled")
        log_action(user=user, action_type=AuditAction.MFA_ENROLLED, request=request, description="TOTP on")
        security_notice_send(user=user, kind="mfa_enabled")
        return codes


def _consume_second_factor(
    *,
    user: User,
    device: TotpDevice,
    code: str | None,
    recovery_code: str | None,
    request: HttpRequest | None,
    now: datetime,
) -> None:
    """Accept and use up one TOTP code or one recovery code, or raise _WrongFactor. Call inside atomic."""
    if code is not None:
        raise_if_paused_locked(user=user, factor=Factor.TOTP)
        _claim_totp(device, code, now)
        return
    if not _claim_recovery(user, recovery_code or "", now):
        raise _WrongFactor
    remaining = RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()
    log_action(
        user=user,
        action_type=AuditAction.RECOVERY_CODE_USED,
        request=request,
        metadata={"remaining": remaining},
    )
    security_notice_send(user=user, kind="recovery_code_used", context={"remaining": remaining})


@contextmanager
def _second_factor_spent(
    *,
    user: User,
    device: TotpDevice,
    code: str | None,
    recovery_code: str | None,
    request: HttpRequest | None,
    now: datetime,
    challenge: MfaChallenge | None = None,
) -> Iterator[None]:
    """Spend one TOTP code or recovery code inside a transaction that the `with` body shares; a wrong one is
    counted (its own transaction, after the rollback) and answered 400 `invalid_mfa_code`."""
    if code is not None:
        raise_if_paused(factor_paused_until(user=user, factor=Factor.TOTP), now)
    try:
        with transaction.atomic():
            _consume_second_factor(
                user=user, device=device, code=code, recovery_code=recovery_code, request=request, now=now
            )
            yield
    except _WrongFactor as refused:
        _record_wrong_factor(
            user=user, used_totp=code is not None, guess=refused.guess, request=request, challenge=challenge
        )
        raise ApplicationError(INVALID_MFA_CODE, code="invalid_mfa_code") from None


def _record_wrong_factor(
    *,
    user: User,
    used_totp: bool,
    guess: bool,
    request: HttpRequest | None,
    challenge: MfaChallenge | None = None,
) -> None:
    """Commit the failure (challenge attempts, account budget, audit) before the error rolls anything back."""
    if challenge is not None:
        attempt_claim(challenge)  # committed on its own; the challenge dies after its last try
    with transaction.atomic(durable=True):
        log_action(
            user=user,
            action_type=AuditAction.MFA_FAILED,
            request=request,
            description=("Wrong TOTP code" if guess else "Reused TOTP code")
            if used_totp
            else "Wrong recovery code",
        )
        if used_totp and guess:
            paused_until = failure_record(user=user, factor=Factor.TOTP)
            if paused_until:
                until = paused_until.strftime("%Y-%m-%d %H:%M UTC")
                log_action(
                    user=user,
                    action_type=AuditAction.MFA_FAILED,
                    request=request,
                    description=f"Too many wrong TOTP codes; TOTP paused until {until}",
                )
                security_notice_send(user=user, kind="mfa_paused", context={"until": until})


def mfa_disable(
    *, user: User, code: str | None, recovery_code: str | None, request: HttpRequest | None
) -> None:
    """Turn MFA off; proving the second factor once more is the price."""
    now = clock.now()
    device = _confirmed_device(user)
    if device is None:
        raise Conflict("Two-factor authentication is not on.", code="mfa_not_enabled")
    with _second_factor_spent(
        user=user, device=device, code=code, recovery_code=recovery_code, request=request, now=now
    ):
        TotpDevice.objects.filter(pk=device.pk).delete()
        RecoveryCode.objects.filter(user=user).delete()
        email_changes_void(user=user, reason="mfa_disabled")
        log_action(user=user, action_type=AuditAction.MFA_DISABLED, request=request, description="TOTP off")
        security_notice_send(user=user, kind="mfa_disabled")


def mfa_reauthenticate(
    *, user: User, code: str | None = None, recovery_code: str | None = None, request: HttpRequest | None
) -> None:
    """Prove the second factor once more (a TOTP code or a recovery code) before a sensitive action.

    The code is spent as at login (no replay) in its own committed transaction; a wrong TOTP code counts
    against the account's TOTP budget like any other. Raises ApplicationError when MFA is off or the code is
    wrong.
    """
    now = clock.now()
    device = _confirmed_device(user)
    if device is None:
        raise ApplicationError("Two-factor authentication is not on.", code="mfa_not_enabled")
    with _second_factor_spent(
        user=user, device=device, code=code, recovery_code=recovery_code, request=request, now=now
    ):
        pass  # spending it is the proof


@transaction.atomic
def mfa_recovery_codes_regenerate(*, user: User, request: HttpRequest | None) -> list[str]:
    """Replace every recovery code (used or not) with a new set, shown only this once."""
    if _confirmed_device(user) is None:
        raise Conflict("Two-factor authentication is not on.", code="mfa_not_enabled")
    codes = _recovery_codes_issue(user)
    log_action(
        user=user,
        action_type=AuditAction.RECOVERY_CODES_REGENERATED,
        request=request,
        metadata={"count": len(codes)},
    )
    security_notice_send(user=user, kind="recovery_codes_regenerated")
    return codes


def mfa_challenge_start(*, user: User, method: str) -> str:
    """Record that `user` passed the first factor `method`; return the token that names this challenge."""
    token = secrets.token_urlsafe(32)
    MfaChallenge.objects.create(
        user=user,
        token_hash=keyed_hash("mfa-challenge", token),
        method=method,
        expires_at=clock.now() + timedelta(seconds=settings.MFA_CHALLENGE_TTL_SECONDS),
    )
    return token


def _open_challenge(now: datetime) -> Q:
    return MfaChallenge.pending() & Q(expires_at__gt=now, attempts__lt=MfaChallenge.attempt_limit())


def mfa_verify(
    *, mfa_token: str, code: str | None, recovery_code: str | None, request: HttpRequest | None
) -> LoginResult:
    """Answer a challenge: on success open the session the first factor earned."""
    now = clock.now()
    challenge = (
        MfaChallenge.objects.select_related("user")
        .filter(_open_challenge(now), token_hash=keyed_hash("mfa-challenge", mfa_token))
        .first()
    )
    user = challenge.user if challenge else None
    device = _confirmed_device(user) if user else None
    if challenge is None or user is None or device is None or not user_can_log_in(user):
        raise AuthenticationFailed(CHALLENGE_INVALID, code="mfa_token_invalid")
    with _second_factor_spent(
        user=user,
        device=device,
        code=code,
        recovery_code=recovery_code,
        request=request,
        now=now,
        challenge=challenge,
    ):
        # Single use, decided by the database: of concurrent answers to one challenge, one gets a try and
        # spends the challenge with it.
        if not attempt_claim(challenge, live=Q(expires_at__gt=now), use_at=now):
            raise AuthenticationFailed(CHALLENGE_INVALID, code="mfa_token_invalid")
        tokens = session_start(user=user, request=request, method=challenge.method)
        log_action(user=user, action_type=AuditAction.MFA_PASSED, request=request)
        log_action(
            user=user,
            action_type=AuditAction.OTP_LOGIN if challenge.method == "otp" else AuditAction.LOGIN,
            request=request,
            description=f"Login via {challenge.method} + TOTP",
        )
        return LoginResult(user=user, tokens=tokens)
