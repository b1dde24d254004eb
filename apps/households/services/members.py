"""Role changes, removals and leaving. Each runs with the household row locked, so two concurrent changes
cannot both pass the "another owner remains" check and leave the household without an owner."""

from django.db import transaction

from apps.audit.models import AuditAction
from apps.audit.services import log_action
from apps.common.exceptions import Conflict, Forbidden, NotFound
from apps.households.models import ROLE_RANK, Household, Membership, Role
from apps.households.selectors import membership_get, require_manage

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


def _require_can_manage(actor: Membership, target: Membership) -> None:
    require_manage(actor.role)
    if actor.role != Role.OWNER and ROLE_RANK[target.role] >= ROLE_RANK[actor.role]:
        raise Forbidden("Admins can only manage members and viewers.", code="not_allowed")


def _target(household_id: int, user_id: int) -> Membership:
    target = (
        Membership.objects.select_related("user").filter(household_id=household_id, user_id=user_id).first()
    )
    if target is None:
        raise NotFound("Member not found.")
    return target


@transaction.atomic
def member_change_role(*, actor, household_id: int, user_id: int, role: str, request=None) -> Membership:
    _lock(household_id)
    actor_membership = membership_get(user=actor, household_id=household_id)
    target = _target(household_id, user_id)
    _require_can_manage(actor_membership, target)
    if not can_assign(actor_membership.role, role):
        raise Forbidden("Admins can only grant the member or viewer role.", code="not_allowed")
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
    return target


@transaction.atomic
def member_remove(*, actor, household_id: int, user_id: int, request=None) -> None:
    if actor.pk == user_id:
        household_leave(user=actor, household_id=household_id, request=request)
        return
    _lock(household_id)
    actor_membership = membership_get(user=actor, household_id=household_id)
    target = _target(household_id, user_id)
    _require_can_manage(actor_membership, target)
    if _is_last_owner(target):  # unreachable for a non-owner actor; kept as the invariant's guard
        raise Conflict(LAST_OWNER_MESSAGE, code="last_owner")
    target.delete()
    log_action(
        user=actor,
        action_type=AuditAction.MEMBER_REMOVED,
        description="Member removed from household",
        request=request,
        object_type="household",
        object_id=household_id,
        metadata={"user_id": user_id, "role": target.role},
    )


@transaction.atomic
def household_leave(*, user, household_id: int, request=None) -> None:
    _lock(household_id)
    membership = membership_get(user=user, household_id=household_id)
    if _is_last_owner(membership):
        raise Conflict(LAST_OWNER_MESSAGE, code="last_owner")
    membership.delete()
    log_action(
        user=user,
        action_type=AuditAction.MEMBER_LEFT,
        description="Left household",
        request=request,
        object_type="household",
        object_id=household_id,
    )
