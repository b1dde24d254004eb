"""Changing the account's email address ("secure email change": both addresses confirm).

Threats and answers (docs/SECURITY.md, "Email change: two addresses"):
- someone who has the password (or a signed-in session) moves the account to their own mailbox: the change
  applies only once the NEW address and the CURRENT one both confirm, by link or code
  (EMAIL_CHANGE_CONFIRM_OLD_ADDRESS, on by default); the current address is told at request time in any case,
  with a link that cancels the change and signs out every session;
- the owner cleans up after an intruder: a pending change is void after a password change or reset, a
  revoke-others, a revocation of the session that asked, MFA turned on or off, a cancel (and account deletion
  erases it); confirming a void change answers `email_change_void` and changes nothing;
- a leftover access token of another session: a code is accepted only from the live session that asked for the
  change (the link is a proof on its own: it came from the mailbox);
- guessing a code: 5 tries per code, handed out by the database before comparing, and the account's
  EMAIL_CHANGE failure budget (apps.users.auth.services.failures); the current password asked at request time
  counts against the PASSWORD budget;
- who stays signed in: when the change applies every session is signed out, the one that asked included, so no
  session (the owner's or an intruder's) outlives it; everyone signs in again with the new address.
Uniqueness is checked when asked and again, by the database's case-insensitive unique constraint, when
applied.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import NoReturn

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import HttpRequest

from apps.audit.models import AuditAction
from apps.audit.services import log_action, refuse
from apps.common import clock
from apps.common.exceptions import ApplicationError, InvalidInput
from apps.common.links import frontend_link
from apps.common.one_time_secrets import EmailedSecrets, attempt_claim, clean_code
from apps.emails.services import email_send
from apps.users.account.services.email_change_voids import email_changes_void, pending_email_changes
from apps.users.auth.services.emailed_secrets import mask_email
from apps.users.auth.services.failures import (
    Factor,
    factor_paused_until,
    failure_record,
    raise_if_paused,
    raise_if_paused_locked,
)
from apps.users.auth.services.passwords import current_password_check, password_budget_recheck
from apps.users.auth.services.reauthentication import reauthentication_check
from apps.users.auth.services.security_notices import security_notice_send
from apps.users.auth.services.sessions import SessionId, sessions_revoke_all
from apps.users.models import (
    EMAIL_CHANGE_LIFETIME,
    EmailChange,
    EmailOTP,
    PasswordReset,
    User,
    normalize_email,
)

SECRETS = EmailedSecrets("email_change")  # the link and code of either address
CANCEL = EmailedSecrets("email_change_cancel")  # the current address's cancel link (its code is not used)
NEW, OLD = "new_address", "old_address"
SAME_EMAIL = "This is already your email address."
EMAIL_TAKEN = "A user with this email already exists."
INVALID_LINK = "This link is invalid or has already been used."
EXPIRED = "This email change has expired. Ask for it again."
INVALID_CODE = "Invalid code. A code stops working after 5 tries: then ask for the change again."
VOID = (
    "This email change was cancelled because the account's security settings changed (password, sessions "
    "or two-factor authentication). Ask for it again if you still want it."
)
OTHER_SESSION = "Confirm with the code from the device that asked for the change, or use the emailed link."
TAKEN_AT_CONFIRMATION = "Another account has started using this email address; the change was not made."
ALREADY_APPLIED = "This email change was already confirmed by both addresses; it can no longer be cancelled."


@dataclass(frozen=True)
class ConfirmOutcome:
    user: User
    changed: bool
    waiting_for: str | None  # NEW or OLD while the change waits for that address, else None


def email_change_request(
    *,
    user: User,
    new_email: str,
    current_password: str | None,
    session_id: SessionId | None,
    request: HttpRequest | None,
) -> EmailChange | None:
    """Send a link and a code to `new_email` and tell the current address; older pending changes stop working.

    Proof of identity: the current password, or else a recent reauthentication of the asking session.
    Returns None when ACCOUNT_PREVENT_ENUMERATION hid that the address is taken (nothing is sent then).
    """
    if current_password is None:
        reauthentication_check(user=user, session_id=session_id)
    else:
        current_password_check(
            user=user,
            password=current_password,
            request=request,
            audit_action=AuditAction.EMAIL_CHANGE_FAILED,
        )
    new_email = normalize_email(new_email)
    if new_email == normalize_email(user.email):
        raise InvalidInput({"new_email": SAME_EMAIL})
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
        raise InvalidInput({"new_email": EMAIL_TAKEN})
    return _issue(
        user=user,
        new_email=new_email,
        session_id=session_id,
        request=request,
        password_given=current_password is not None,
    )


@transaction.atomic
def _issue(
    *,
    user: User,
    new_email: str,
    session_id: SessionId | None,
    request: HttpRequest | None,
    password_given: bool,
) -> EmailChange:
    if password_given:
        password_budget_recheck(user=user)
    now = clock.now()
    EmailChange.objects.filter(pending_email_changes(), user=user).update(replaced_at=now, updated_at=now)
    new = SECRETS.issue()
    old = SECRETS.issue() if settings.EMAIL_CHANGE_CONFIRM_OLD_ADDRESS else None
    cancel = CANCEL.issue()
    row = EmailChange.objects.create(
        user=user,
        new_email=new_email,
        token_hash=new.token_hash,
        code_hash=new.code_hash,
        old_token_hash=old.token_hash if old else None,
        old_code_hash=old.code_hash if old else "",
        cancel_token_hash=cancel.token_hash,
        session_id=session_id,
        expires_at=now + EMAIL_CHANGE_LIFETIME,
    )
    email_send(
        to=new_email,
        template="email_change",
        context={"name": user.first_name or new_email, "old_address_confirms": old is not None},
        secret_context={
            "confirm_url": frontend_link("confirm_email_change", token=new.token),
            "code": new.code,
        },
    )
    # the current address learns only a masked form of the new one, as in the "changed" notice
    secret_context = {"cancel_url": frontend_link("cancel_email_change", token=cancel.token)}
    if old:
        secret_context["confirm_url"] = frontend_link("confirm_email_change", token=old.token)
        secret_context["code"] = old.code
    email_send(
        to=user.email,
        template="email_change_old",
        context={"name": user.first_name or user.email, "new_email_masked": mask_email(new_email)},
        secret_context=secret_context,
    )
    log_action(
        user=user,
        action_type=AuditAction.EMAIL_CHANGE_REQUESTED,
        request=request,
        description="Email change requested; confirmation sent to the new address, the current one told",
        object_type="EmailChange",
        object_id=row.pk,
        metadata={"new_email": new_email, "sent": True, "old_address_confirms": old is not None},
    )
    return row


def _refuse_unless_open(
    *, row: EmailChange, request: HttpRequest | None, now: datetime, dead: tuple[str, str]
) -> None:
    """Refuse a change that can no longer be confirmed; `dead` is the (message, code) for a used one."""
    if row.voided_at:
        _refuse(VOID, "email_change_void", request=request, row=row, reason=f"void:{row.void_reason}")
    if row.confirmed_at or row.replaced_at:
        _refuse(*dead, request=request, row=row, reason="used_or_replaced")
    if row.expires_at <= now:
        _refuse(EXPIRED, "expired", request=request, row=row, reason="expired")


def email_change_confirm_token(*, token: object, request: HttpRequest | None) -> ConfirmOutcome:
    """Confirm one address with its link's token (no login needed: the link itself is the proof)."""
    now = clock.now()
    hashes = SECRETS.token_hashes(token)
    row = None
    if hashes:
        matching = Q(token_hash__in=hashes) | Q(old_token_hash__in=hashes)
        row = EmailChange.objects.select_related("user").filter(matching).first()
    if row is None:
        _refuse(INVALID_LINK, "invalid_token", request=request, reason="unknown_token")
    _refuse_unless_open(row=row, request=request, now=now, dead=(INVALID_LINK, "invalid_token"))
    side = NEW if row.token_hash in hashes else OLD
    return _confirm(row=row, side=side, request=request, now=now, via="link")


def email_change_confirm_code(
    *, user: User, session_id: SessionId | None, code: object, address: str = NEW, request: HttpRequest | None
) -> ConfirmOutcome:
    """Confirm one address of the user's newest change with the code it received.

    Only from the live session that asked for the change; each wrong code counts against the account's
    EMAIL_CHANGE budget, and a right one is accepted only under that budget's lock.
    """
    now = clock.now()
    code = clean_code(code)
    row = (
        EmailChange.objects.select_related("user", "session")
        .filter(user=user)
        .order_by("-created_at", "-id")
        .first()
    )
    if row is None or not code:
        _refuse(INVALID_CODE, "invalid_code", user=user, request=request, reason="no_change")
    if row.voided_at:
        _refuse(VOID, "email_change_void", request=request, row=row, reason=f"void:{row.void_reason}")
    if row.session is None or str(row.session_id) != str(session_id) or row.session.revoked_at:
        _refuse(
            OTHER_SESSION,
            "email_change_other_session",
            request=request,
            row=row,
            reason="other_session",
            status=403,
        )
    if address == OLD and not row.needs_old_address:
        _refuse(INVALID_CODE, "invalid_code", request=request, row=row, reason="no_old_address_code")
    raise_if_paused(factor_paused_until(user=user, factor=Factor.EMAIL_CHANGE), now)
    attempts, token_hash, code_hash = (
        ("attempts", row.token_hash, row.code_hash)
        if address == NEW
        else ("old_code_attempts", row.old_token_hash or "", row.old_code_hash)
    )
    if not attempt_claim(row, field=attempts):
        _refuse_unless_open(row=row, request=request, now=now, dead=(INVALID_CODE, "invalid_code"))
        _refuse(INVALID_CODE, "invalid_code", request=request, row=row, reason="dead")
    if not SECRETS.code_matches(token_hash=token_hash, code_hash=code_hash, code=code):
        _refuse(INVALID_CODE, "invalid_code", request=request, row=row, reason="wrong_code", guess=True)
    if row.expires_at <= now:
        _refuse(EXPIRED, "expired", request=request, row=row, reason="expired")
    return _confirm(row=row, side=address, request=request, now=now, via="code", budget=True)


def _confirm(  # noqa: RET503 — every path past the transaction ends in _refuse, which raises (NoReturn)
    *, row: EmailChange, side: str, request: HttpRequest | None, now: datetime, via: str, budget: bool = False
) -> ConfirmOutcome:
    """Record one address's confirmation; apply the change once every address it needs has confirmed.

    The user row is locked first, so the two addresses' confirmations of one change are serialized: the second
    sees the first and applies.
    """
    confirmed_field = "new_confirmed_at" if side == NEW else "old_confirmed_at"
    taken = False
    with transaction.atomic():
        user = User.objects.select_for_update().get(id=row.user_id)
        if budget:
            raise_if_paused_locked(user=user, factor=Factor.EMAIL_CHANGE)
        marked = (
            user.is_active
            and user.deleted_at is None
            and EmailChange.objects.filter(
                pending_email_changes(), id=row.pk, expires_at__gt=now, **{f"{confirmed_field}__isnull": True}
            ).update(**{confirmed_field: now, "updated_at": now})
        )
        if marked:
            row.refresh_from_db()
            if not (row.new_confirmed_at and (row.old_confirmed_at or not row.needs_old_address)):
                waiting_for = OLD if row.new_confirmed_at else NEW
                log_action(
                    user=user,
                    action_type=AuditAction.EMAIL_CHANGE_CONFIRMED,
                    request=request,
                    description=f"Email change confirmed by the {side.replace('_', ' ')} ({via})",
                    object_type="EmailChange",
                    object_id=row.pk,
                    metadata={"confirmed": side, "waiting_for": waiting_for},
                )
                return ConfirmOutcome(user=user, changed=False, waiting_for=waiting_for)
            old_email = user.email
            try:
                with transaction.atomic():
                    EmailChange.objects.filter(id=row.pk).update(confirmed_at=now, updated_at=now)
                    User.objects.filter(id=user.pk).update(email=row.new_email, updated_at=now)
            except IntegrityError:
                taken = True
                transaction.set_rollback(True)  # the change stays pending; nothing was applied
            else:
                user.email = row.new_email
                _after_change(user=user, row=row, old_email=old_email, request=request, now=now, via=via)
                return ConfirmOutcome(user=user, changed=True, waiting_for=None)
    if taken:
        _refuse(TAKEN_AT_CONFIRMATION, "email_taken", request=request, row=row, reason="taken", status=409)
    row.refresh_from_db()
    dead = (INVALID_LINK, "invalid_token") if via == "link" else (INVALID_CODE, "invalid_code")
    _refuse_unless_open(row=row, request=request, now=now, dead=dead)
    _refuse(*dead, request=request, row=row, reason=f"{side}_already_confirmed_or_inactive")


def _after_change(
    *, user: User, row: EmailChange, old_email: str, request: HttpRequest | None, now: datetime, via: str
) -> None:
    # every session is signed out, the one that asked included: none outlives the change of address
    revoked = sessions_revoke_all(user=user, reason="email_changed")
    # secrets mailed to the old address stop working
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
        description=f"Email changed (last confirmation by {via})",
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


def email_change_cancel(*, token: object, request: HttpRequest | None) -> int:  # noqa: RET503 — ends in _refuse
    """The current address's "this wasn't me" link: void every pending change and sign out every session.

    Works once, until the change applies or expires. Returns how many sessions were signed out.
    """
    now = clock.now()
    hashes = CANCEL.token_hashes(token)
    row = (
        EmailChange.objects.select_related("user").filter(cancel_token_hash__in=hashes).first()
        if hashes
        else None
    )
    if row is None or row.cancelled_at:
        _refuse(INVALID_LINK, "invalid_token", request=request, row=row, reason="cancel_unknown_or_used")
    if row.confirmed_at:
        _refuse(
            ALREADY_APPLIED,
            "email_change_applied",
            request=request,
            row=row,
            reason="cancel_applied",
            status=409,
        )
    if row.expires_at <= now:
        _refuse(EXPIRED, "expired", request=request, row=row, reason="cancel_expired")
    with transaction.atomic():
        user = User.objects.select_for_update().get(id=row.user_id)
        if EmailChange.objects.filter(id=row.pk, cancelled_at__isnull=True, confirmed_at__isnull=True).update(
            cancelled_at=now, updated_at=now
        ):
            voided = email_changes_void(user=user, reason="cancelled")
            revoked = sessions_revoke_all(user=user, reason="email_change_cancelled")
            log_action(
                user=user,
                action_type=AuditAction.EMAIL_CHANGE_CANCELLED,
                request=request,
                description="Email change cancelled from the current address; every session signed out",
                object_type="EmailChange",
                object_id=row.pk,
                metadata={"changes_voided": voided, "sessions_revoked": revoked},
            )
            return revoked
    _refuse(INVALID_LINK, "invalid_token", request=request, row=row, reason="cancel_raced")


def _refuse(
    message: str,
    code: str,
    *,
    request: HttpRequest | None,
    reason: str,
    row: EmailChange | None = None,
    user: User | None = None,
    status: int | None = None,
    guess: bool = False,
) -> NoReturn:
    """Audit the refusal in its own committed transaction (a wrong code spends the budget too), then raise."""
    account = row.user if row else user

    def spend_budget() -> None:
        if account is not None and failure_record(user=account, factor=Factor.EMAIL_CHANGE):
            log_action(
                user=account,
                action_type=AuditAction.EMAIL_CHANGE_FAILED,
                request=request,
                description="Too many wrong email-change codes; code confirmation paused for this account",
                metadata={"reason": "paused"},
            )

    refuse(
        ApplicationError(message, code=code, status_code=status),
        also=spend_budget if guess else None,
        user=account,
        action_type=AuditAction.EMAIL_CHANGE_FAILED,
        request=request,
        description=f"Email change refused: {reason}",
        object_type="EmailChange" if row else "",
        object_id=row.pk if row else "",
        metadata={"reason": reason},
    )
