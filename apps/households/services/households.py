from typing import Any

from django.db import transaction
from django.http import HttpRequest

from apps.audit.models import AuditAction
from apps.audit.services import log_action
from apps.common.currencies import DEFAULT_CURRENCY
from apps.common.exceptions import Forbidden
from apps.common.services import model_update
from apps.households.models import Household, Membership, Role
from apps.households.selectors import membership_get
from apps.users.models import User


@transaction.atomic
def household_create(
    *,
    user: User,
    name: str,
    time_zone: str = "UTC",
    currency: str = DEFAULT_CURRENCY,
    request: HttpRequest | None = None,
) -> Membership:
    """Create a household with its creator as the first owner. Returns the creator's membership."""
    household = Household(name=name, time_zone=time_zone, currency=currency, created_by=user)
    household.full_clean()
    household.save()
    membership = Membership.objects.create(household=household, user=user, role=Role.OWNER)
    log_action(
        user=user,
        action_type=AuditAction.CREATE,
        description="Household created",
        request=request,
        obj=household,
    )
    return membership


@transaction.atomic
def household_update(
    *, user: User, household_id: int, data: dict[str, Any], request: HttpRequest | None = None
) -> Membership:
    membership = membership_get(user=user, household_id=household_id, manage=True)
    household, changed = model_update(
        instance=membership.household, fields=["name", "time_zone", "currency"], data=data
    )
    if changed:
        log_action(
            user=user,
            action_type=AuditAction.UPDATE,
            description="Household updated",
            request=request,
            obj=household,
            metadata={"fields": sorted(k for k in data if k in {"name", "time_zone", "currency"})},
        )
    return membership


@transaction.atomic
def household_delete(*, user: User, household_id: int, request: HttpRequest | None = None) -> None:
    """Delete a household and everything in it (bills, goals, reports, invites). Owners only."""
    membership = membership_get(user=user, household_id=household_id)
    if membership.role != Role.OWNER:
        raise Forbidden("Only an owner can delete the household.", code="not_owner")
    log_action(
        user=user,
        action_type=AuditAction.DELETE,
        description="Household deleted",
        request=request,
        object_type="household",
        object_id=household_id,
        metadata={"name": membership.household.name},
    )
    Household.objects.filter(id=household_id).delete()
