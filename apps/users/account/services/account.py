"""The signed-in account: renaming it (audited), and deleting it.

Deleting one's own account: deactivate at once, keep an anonymised row, erase what was personal.

The user row stays (anonymised) so that audit rows and shared household records (bills paid, contributions,
"created by") keep a stable reference to "a deleted user" instead of losing it or keeping the person. What is
erased or anonymised, and why, is listed in docs/SECURITY.md ("Account lifecycle").
"""

import secrets
import uuid
from collections import Counter
from dataclasses import dataclass
from typing import Any, NoReturn, cast

from django.contrib.admin.models import LogEntry
from django.db import IntegrityError, models, transaction
from django.db.models import Count, Q
from django.http import HttpRequest

from apps.audit.models import AuditAction, AuditLog
from apps.audit.services import log_action, refuse
from apps.common import clock
from apps.common.exceptions import ApplicationError, Conflict, RateLimited
from apps.common.services import model_update
from apps.emails.models import EmailOutbox, EmailStatus
from apps.households.models import Household, Membership, Role
from apps.users.auth.services.passwords import current_password_check, password_budget_recheck
from apps.users.auth.services.reauthentication import reauthentication_check
from apps.users.auth.services.sessions import sessions_revoke_all
from apps.users.mfa.services.mfa import mfa_reauthenticate
from apps.users.models import EmailChange, User

# Rows pointing at the user with on_delete=CASCADE are the user's own and go with the account, except these,
# which are other people's records of what the user did.
KEEP_ON_DELETE = (LogEntry,)
AUDIT_EMAIL_KEYS = ("email", "old_email", "new_email")
# What the profile PATCH may change: the name the household sees (the address changes only by email_change).
PROFILE_FIELDS = ["first_name", "last_name"]


@transaction.atomic
def user_profile_update(*, user: User, data: dict[str, Any], request: HttpRequest | None = None) -> User:
    """Set the given name fields; audited (which fields, not their values) when anything changed."""
    changed = sorted(f for f in PROFILE_FIELDS if f in data and getattr(user, f) != data[f])
    user, _ = model_update(instance=user, fields=PROFILE_FIELDS, data=data)
    if changed:
        log_action(
            user=user,
            action_type=AuditAction.UPDATE,
            request=request,
            description="Profile updated",
            object_type="User",
            object_id=user.pk,
            metadata={"fields": changed},
        )
    return user


@dataclass(frozen=True)
class DeletionResult:
    households_deleted: list[int]
    households_left: list[int]


PLACEHOLDER_TRIES = 5


def placeholder_email() -> str:
    """A deleted account's address: random (128 bits), so nobody can take it in advance, and on a
    special-use domain, which registration and email change refuse (`apps.users.validators`), so nobody can
    take it at all.

    (It used to be `deleted-<id>@deleted.invalid`: registering that address made every later deletion of user
    <id> fail on the unique constraint.)
    """
    return f"deleted-{secrets.token_hex(16)}@deleted.invalid"


def account_delete(  # noqa: RET503 — ends in _refuse_last_owner, which raises (NoReturn)
    *,
    user: User,
    password: str | None = None,
    code: str | None = None,
    session_id: uuid.UUID | str | None = None,
    request: HttpRequest | None,
) -> DeletionResult:
    """Refuse while the user is the last owner of a shared household; check the password (or, with MFA on, a
    TOTP code; with neither, a recent reauthentication of `session_id`); then erase. A household whose only
    member is this user is deleted with the account.

    The household check runs first, so a 409 spends no code; it runs again under lock before erasing.
    """
    _, blocked = _households(user, lock=False)
    if not blocked:
        _confirm_identity(user=user, password=password, code=code, session_id=session_id, request=request)
        with transaction.atomic():
            user = User.objects.select_for_update().get(pk=user.pk)
            if password is not None:
                password_budget_recheck(user=user)
            solo, blocked = _households(user, lock=True)
            if not blocked:
                return _erase(user=user, solo=solo, request=request)
    _refuse_last_owner(user=user, blocked=blocked, request=request)


def _confirm_identity(
    *,
    user: User,
    password: str | None,
    code: str | None,
    session_id: uuid.UUID | str | None,
    request: HttpRequest | None,
) -> None:
    if password is None and code is None:
        reauthentication_check(user=user, session_id=session_id)
        return
    if password is not None:
        # the account's PASSWORD budget, shared with password change, email change and reauthentication
        current_password_check(
            user=user, password=password, request=request, audit_action=AuditAction.ACCOUNT_DELETE_REFUSED
        )
        return
    try:
        mfa_reauthenticate(user=user, code=code, request=request)
    except RateLimited:
        raise  # TOTP is paused for this account: a 429, like every limit
    except ApplicationError as error:
        _refuse(error.message, error.code, user=user, request=request, reason=error.code)


def _refuse_last_owner(*, user: User, blocked: list[Household], request: HttpRequest | None) -> NoReturn:
    names = ", ".join(f"“{h.name}”" for h in blocked)
    _refuse(
        f"You are the last owner of {names}, which other people belong to. Make another member an owner, "
        "or delete the household, first.",
        "last_owner",
        user=user,
        request=request,
        reason="last_owner",
        status=409,
        extra={"households": [{"id": h.pk, "name": h.name} for h in blocked]},
    )


def _households(user: User, *, lock: bool) -> tuple[list[Household], list[Household]]:
    """(households this user alone belongs to, households that block the deletion).

    A household blocks when the user is its only owner and other people belong to it. With `lock`, the
    household rows are locked first, so a concurrent invite acceptance or role change waits for the decision.
    """
    ids = list(Membership.objects.filter(user=user, role=Role.OWNER).values_list("household_id", flat=True))
    if not ids:
        return [], []
    rows = Household.objects.filter(id__in=ids).order_by("id")
    households = list(rows.select_for_update() if lock else rows)
    others = {
        row["household_id"]: row
        for row in Membership.objects.filter(household_id__in=ids)
        .exclude(user=user)
        .values("household_id")
        .annotate(members=Count("id"), owners=Count("id", filter=Q(role=Role.OWNER)))
    }
    solo = [h for h in households if h.pk not in others]
    blocked = [h for h in households if h.pk in others and not others[h.pk]["owners"]]
    return solo, blocked


def _erase(*, user: User, solo: list[Household], request: HttpRequest | None) -> DeletionResult:
    now = clock.now()
    addresses = _addresses_of(user)
    sessions_revoke_all(user=user, reason="account_deleted")  # blacklists every live refresh token
    for household in solo:
        log_action(
            user=user,
            action_type=AuditAction.DELETE,
            description="Household deleted with the account of its only member",
            request=request,
            object_type="household",
            object_id=household.pk,
        )
    Household.objects.filter(id__in=[h.pk for h in solo]).delete()
    left = list(Membership.objects.filter(user=user).values_list("household_id", flat=True))
    for household_id in left:
        log_action(
            user=user,
            action_type=AuditAction.MEMBER_LEFT,
            description="Left household: account deleted",
            request=request,
            object_type="household",
            object_id=household_id,
        )
    removed = _delete_owned_rows(user)

    user.first_name = user.last_name = ""
    user.set_unusable_password()
    user.is_active = user.is_staff = user.is_superuser = user.email_verified = False
    user.role = User.Role.MEMBER
    user.last_login = None
    user.deleted_at = now
    _save_with_placeholder(user)
    user.groups.clear()
    user.user_permissions.clear()

    _scrub_audit(addresses=addresses, placeholder=user.email)
    EmailOutbox.objects.filter(to__in=addresses).exclude(status=EmailStatus.SENDING).delete()
    log_action(
        user=user,
        action_type=AuditAction.ACCOUNT_DELETED,
        request=request,
        description="Account deleted by its owner; personal data erased",
        object_type="User",
        object_id=user.pk,
        metadata={
            "households_deleted": [h.pk for h in solo],
            "households_left": left,
            "rows_removed": dict(sorted(removed.items())),
        },
    )
    return DeletionResult(households_deleted=[h.pk for h in solo], households_left=left)


def _save_with_placeholder(user: User) -> None:
    """Save the anonymised row under a fresh placeholder, drawing again if one is taken (a savepoint per try,
    so the deletion's transaction survives the unique-constraint error)."""
    for _ in range(PLACEHOLDER_TRIES):
        user.email = placeholder_email()
        try:
            with transaction.atomic():
                user.save()
            return
        except IntegrityError:
            continue
    raise Conflict("The account could not be deleted just now; please try again.", code="deletion_retry")


def _addresses_of(user: User) -> set[str]:
    """Every address this account has had or asked for, as audit rows and the outbox may hold them."""
    addresses = {user.email.lower()}
    addresses.update(
        e.lower() for e in EmailChange.objects.filter(user=user).values_list("new_email", flat=True)
    )
    changes = AuditLog.objects.filter(actor=user, action_type=AuditAction.EMAIL_CHANGED)
    for metadata in changes.values_list("metadata", flat=True):
        addresses.update(str(metadata.get(k, "")).lower() for k in ("old_email", "new_email"))
    addresses.discard("")
    return addresses


def _delete_owned_rows(user: User) -> Counter[str]:
    """Delete what would be deleted with the user row (sessions, codes, MFA, memberships, notifications...).

    Generic on purpose: a model another app adds later with a CASCADE foreign key to the user is covered.
    """
    removed: Counter[str] = Counter()
    for relation in User._meta.related_objects:
        model = cast("type[models.Model]", relation.related_model)  # "self" is resolved once apps are ready
        if relation.on_delete is not models.CASCADE or model in KEEP_ON_DELETE or relation.many_to_many:
            continue
        _, per_model = model._base_manager.filter(**{relation.field.name: user}).delete()
        removed.update({label: n for label, n in per_model.items() if n})
    return removed


def _scrub_audit(*, addresses: set[str], placeholder: str) -> None:
    """Replace the account's addresses in audit metadata (any actor's rows) with its placeholder."""
    if not addresses:
        return
    match = Q()
    for key in AUDIT_EMAIL_KEYS:
        match |= Q(**{f"metadata__{key}__in": sorted(addresses)})
    rows = list(AuditLog.objects.filter(match))
    for row in rows:
        row.metadata = {
            key: placeholder if key in AUDIT_EMAIL_KEYS and str(value).lower() in addresses else value
            for key, value in row.metadata.items()
        }
    AuditLog.objects.bulk_update(rows, ["metadata"], batch_size=500)


def _refuse(
    message: str,
    code: str,
    *,
    user: User,
    request: HttpRequest | None,
    reason: str,
    status: int | None = None,
    extra: dict[str, Any] | None = None,
) -> NoReturn:
    error = Conflict if status == 409 else ApplicationError
    refuse(
        error(message, code=code, extra=extra),
        user=user,
        action_type=AuditAction.ACCOUNT_DELETE_REFUSED,
        request=request,
        description=f"Account deletion refused: {reason}",
        metadata={"reason": reason},
    )
