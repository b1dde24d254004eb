"""Role changes, removals and leaving. Each runs with the household row locked, so two concurrent changes
cannot both pass the "another owner remains" check and leave the household without an owner.

A manager who is removed, leaves or is demoted loses the invitations they sent that their role no longer
allows (revoked and audited here); accepting checks the inviter's role again (invites.py), which also covers
invitations of an account that was deleted.
"""

from typing import Any

from django.db import transaction
from django.http import HttpRequest

from apps.audit.models import AuditAction
from apps.audit.services import log_action
from apps.common import clock
from apps.common.exceptions import Conflict, Forbidden, NotFound
from apps.households.models import MANAGE_ROLES, ROLE_RANK, Household, HouseholdInvite, Membership, Role
from apps.households.selectors import membership_get, require_manage
from apps.users.models import User

LAST_OWNER_MESSAGE = (
    "A household needs at least one owner: make another member an owner first (or delete the household)."
)


def _lock(household_id: int) -> None:
    Household.objects.select_for_update().filter(id=household_id).first()


def _is_last_owner(membership: Membership) -> bool:
    if membership.role != Role.OWNER:
        return False
    return not (
        Membership.objects.filter(household_id=membership.household_id, role=Role.OWNER)
        .exclude(id=membership.id)
        .exists()
    )


def can_assign(actor_role: str, role: str) -> bool:
    """Owners assign any role; admins only roles below their own."""
    return actor_role == Role.OWNER or ROLE_RANK[role] < ROLE_RANK[actor_role]


def can_invite(inviter_role: str | None, role: str) -> bool:
    """Whether a member with `inviter_role` (None: not a member) may send, or keep, an invitation as `role`:
    managers only, never as owner, and admins only below their own rank."""
    return inviter_role in MANAGE_ROLES and role != Role.OWNER and can_assign(inviter_role, role)


def require_allowed(actor_role: str, role: str, *, message: str, invitation: bool = False) -> None:
    """403 `not_allowed` unless a manager with `actor_role` may act on `role`: hold it over a member (change,
    remove, grant), or with invitation=True send or revoke an invitation as it."""
    allowed = can_invite(actor_role, role) if invitation else can_assign(actor_role, role)
    if not allowed:
        raise Forbidden(message, code="not_allowed")


def invites_revoke_sent_by(
    *,
    actor: User,
    household_id: int,
    inviter_id: int,
    role: str | None,
    reason: str,
    request: HttpRequest | None = None,
) -> list[int]:
    """Revoke the open invitations `inviter_id` sent to this household that `role` (theirs from now on; None
    once they are no longer a member) could not send. One INVITE_REVOKED row lists them."""
    open_invites = HouseholdInvite.objects.filter(
        household_id=household_id, invited_by_id=inviter_id, accepted_at__isnull=True, revoked_at__isnull=True
    )
    ids = [
        pk for pk, invite_role in open_invites.values_list("id", "role") if not can_invite(role, invite_role)
    ]
    if not ids:
        return []
    now = clock.now()
    HouseholdInvite.objects.filter(id__in=ids, accepted_at__isnull=True, revoked_at__isnull=True).update(
        revoked_at=now, updated_at=now
    )
    log_action(
        user=actor,
        action_type=AuditAction.INVITE_REVOKED,
        description=f"Invitations revoked: their sender {reason}",
        request=request,
        object_type="household",
        object_id=household_id,
        metadata={"invite_ids": ids, "invited_by": inviter_id, "reason": reason},
    )
    return ids


def _require_can_manage(actor: Membership, target: Membership) -> None:
    require_manage(actor.role)
    require_allowed(actor.role, target.role, message="Admins can only manage members and viewers.")


def _target(household_id: int, user_id: int) -> Membership:
    target = (
        Membership.objects.select_related("user").filter(household_id=household_id, user_id=user_id).first()
    )
    if target is None:
        raise NotFound("Member not found.")
    return target


@transaction.atomic
def member_change_role(
    *, actor: User, household_id: int, user_id: int, role: str, request: HttpRequest | None = None
) -> Membership:
    _lock(household_id)
    actor_membership = membership_get(user=actor, household_id=household_id)
    target = _target(household_id, user_id)
    _require_can_manage(actor_membership, target)
    require_allowed(actor_membership.role, role, message="Admins can only grant the member or viewer role.")
    if target.role == role:
        return target
    if role != Role.OWNER and _is_last_owner(target):
        raise Conflict(LAST_OWNER_MESSAGE, code="last_owner")
    previous = target.role
    Membership.objects.filter(id=target.id).update(role=role)
    target.role = role
    log_action(
        user=actor,
        action_type=AuditAction.MEMBER_ROLE_CHANGED,
        description=f"Role changed from {previous} to {role}",
        request=request,
        object_type="household",
        object_id=household_id,
        metadata={"user_id": target.user_id, "from": previous, "to": role},
    )
    invites_revoke_sent_by(
        actor=actor,
        household_id=household_id,
        inviter_id=target.user_id,
        role=role,
        reason=f"was changed from {previous} to {role}",
        request=request,
    )
    return target


@transaction.atomic
def member_remove(
    *, actor: User, household_id: int, user_id: int, request: HttpRequest | None = None
) -> None:
    if actor.pk == user_id:
        household_leave(user=actor, household_id=household_id, request=request)
        return
    _lock(household_id)
    actor_membership = membership_get(user=actor, household_id=household_id)
    target = _target(household_id, user_id)
    _require_can_manage(actor_membership, target)
    # the last-owner guard cannot trip for a non-owner actor here; it stays as the invariant's guard
    _membership_end(
        actor=actor,
        membership=target,
        action_type=AuditAction.MEMBER_REMOVED,
        description="Member removed from household",
        metadata={"user_id": user_id, "role": target.role},
        reason="was removed from the household",
        request=request,
    )


@transaction.atomic
def household_leave(*, user: User, household_id: int, request: HttpRequest | None = None) -> None:
    _lock(household_id)
    _membership_end(
        actor=user,
        membership=membership_get(user=user, household_id=household_id),
        action_type=AuditAction.MEMBER_LEFT,
        description="Left household",
        reason="left the household",
        request=request,
    )


def _membership_end(
    *,
    actor: User,
    membership: Membership,
    action_type: AuditAction,
    description: str,
    reason: str,
    metadata: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
) -> None:
    """End a membership (never the last owner's), audited, and revoke the invitations its member sent: they
    are no longer a member, so none of them stands. The household row is locked by the caller."""
    if _is_last_owner(membership):
        raise Conflict(LAST_OWNER_MESSAGE, code="last_owner")
    membership.delete()
    log_action(
        user=actor,
        action_type=action_type,
        description=description,
        request=request,
        object_type="household",
        object_id=membership.household_id,
        metadata=metadata,
    )
    invites_revoke_sent_by(
        actor=actor,
        household_id=membership.household_id,
        inviter_id=membership.user_id,
        role=None,
        reason=reason,
        request=request,
    )
