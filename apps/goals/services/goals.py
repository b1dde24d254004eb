from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F
from django.http import HttpRequest

from apps.audit.models import AuditAction
from apps.audit.services import log_action
from apps.common import clock
from apps.common.currencies import MONEY_MAX, format_amount
from apps.common.exceptions import Conflict, field_error
from apps.common.validation import require_minor_units
from apps.goals.models import Goal, GoalContribution
from apps.goals.selectors import goal_get
from apps.goals.services.milestones import goal_milestones_claim
from apps.households.selectors import membership_exists, membership_get, require_write
from apps.households.services.items import household_item_create, household_item_delete, household_item_update
from apps.users.models import User

UPDATABLE = ["name", "target_amount", "deadline", "owner_id", "notes"]


@dataclass
class ContributionResult:
    contribution: GoalContribution
    milestones_crossed: list[int] = field(default_factory=list)


def _require_member_owner(owner_id: int | None, household_id: int) -> None:
    """A goal's owner (who hears of its milestones) is a member of its household, or nobody."""
    if owner_id is not None and not membership_exists(household_id=household_id, user_id=owner_id):
        raise field_error("owner", "Not a member of this household.", code="invalid")


def _require_future_deadline(deadline: date | None, time_zone: str) -> None:
    if deadline is not None and deadline < clock.today_in(time_zone):
        raise field_error("deadline", "A deadline cannot be in the past.", code="deadline_past")


@transaction.atomic
def goal_create(
    *,
    user: User,
    household_id: int,
    name: str,
    target_amount: Decimal,
    currency: str | None = None,
    deadline: date | None = None,
    owner_id: int | None = None,
    notes: str = "",
    request: HttpRequest | None = None,
) -> Goal:
    membership = membership_get(user=user, household_id=household_id)
    require_write(membership.role)
    currency = currency or membership.household.currency
    require_minor_units(target_amount, currency, field="target_amount")
    _require_future_deadline(deadline, membership.household.time_zone)
    _require_member_owner(owner_id, household_id)
    goal = Goal(
        household_id=household_id,
        name=name,
        target_amount=target_amount,
        currency=currency,
        deadline=deadline,
        owner_id=owner_id,
        notes=notes,
        created_by=user,
    )
    return household_item_create(user=user, item=goal, request=request)


@transaction.atomic
def goal_update(
    *, user: User, goal_id: int, data: dict[str, Any], request: HttpRequest | None = None
) -> Goal:
    """A new owner must be a member of the goal's household (400 on `owner`).

    The target cannot go below what is saved (400 `target_below_saved`): a family lowering a target by
    mistake should hear so, and one that means "done" sets it to the saved amount. A new deadline cannot be
    in the past. Lowering the target can cross milestones; they are announced here, like a contribution's.
    """
    goal_get(user=user, goal_id=goal_id, write=True)
    goal = Goal.objects.select_for_update(of=("self",)).select_related("household").get(id=goal_id)
    data = {k: v for k, v in data.items() if k in UPDATABLE}
    if "target_amount" in data:
        require_minor_units(data["target_amount"], goal.currency, field="target_amount")
        if data["target_amount"] < goal.current_amount:
            raise field_error(
                "target_amount",
                f"The target cannot be below the {format_amount(goal.current_amount, goal.currency)} "
                f"{goal.currency} already saved.",
                code="target_below_saved",
            )
    if "deadline" in data and data["deadline"] != goal.deadline:
        _require_future_deadline(data.get("deadline"), goal.household.time_zone)
    if "owner_id" in data and data["owner_id"] != goal.owner_id:
        _require_member_owner(data["owner_id"], goal.household_id)
    changed = household_item_update(user=user, item=goal, fields=UPDATABLE, data=data, request=request)
    if changed and "target_amount" in data:
        goal_milestones_claim(goal_id=goal.id)
    return goal


@transaction.atomic
def goal_delete(*, user: User, goal_id: int, request: HttpRequest | None = None) -> None:
    household_item_delete(user=user, item=goal_get(user=user, goal_id=goal_id, write=True), request=request)


@transaction.atomic
def goal_contribute(
    *,
    user: User,
    goal_id: int,
    amount: Decimal,
    contributed_on: date | None = None,
    note: str = "",
    request: HttpRequest | None = None,
) -> ContributionResult:
    """Add to a goal. The balance moves by one `SET current_amount = current_amount + x` UPDATE, so
    concurrent contributions serialize on the row instead of overwriting each other; the milestones it
    crossed are recorded and announced before commit, while that UPDATE's row lock is held."""
    goal = goal_get(user=user, goal_id=goal_id, write=True)
    require_minor_units(amount, goal.currency)
    now = clock.now()
    updated = Goal.objects.filter(id=goal.id, current_amount__lte=MONEY_MAX - amount).update(
        current_amount=F("current_amount") + amount, updated_at=now
    )
    if not updated:
        raise Conflict("This contribution would exceed the largest amount a goal can hold.", code="too_large")
    if contributed_on is None:
        contributed_on = clock.today_in(goal.household.time_zone, now)
    contribution = GoalContribution.objects.create(
        goal_id=goal.id,
        household_id=goal.household_id,
        user=user,
        amount=amount,
        contributed_on=contributed_on,
        note=note,
    )
    log_action(
        user=user,
        action_type=AuditAction.GOAL_CONTRIBUTION,
        description="Contribution to goal",
        request=request,
        obj=goal,
        metadata={"contribution_id": contribution.id, "amount": str(amount)},
    )
    return ContributionResult(contribution, goal_milestones_claim(goal_id=goal.id))
