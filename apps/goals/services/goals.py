import logging
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import F

from apps.audit.models import AuditAction
from apps.audit.services import log_household_action
from apps.common import clock
from apps.common.exceptions import Conflict
from apps.common.services import model_update
from apps.common.validation import MONEY_MAX
from apps.goals.models import Goal, GoalContribution
from apps.goals.selectors import goal_get
from apps.households.selectors import membership_get, require_write

logger = logging.getLogger(__name__)

UPDATABLE = ["name", "target_amount", "deadline", "owner_id", "notes"]


@transaction.atomic
def goal_create(
    *,
    user,
    household_id: int,
    name: str,
    target_amount: Decimal,
    currency: str | None = None,
    deadline: date | None = None,
    owner_id: int | None = None,
    notes: str = "",
    request=None,
) -> Goal:
    membership = membership_get(user=user, household_id=household_id)
    require_write(membership.role)
    goal = Goal(
        household_id=household_id,
        name=name,
        target_amount=target_amount,
        currency=currency or membership.household.currency,
        deadline=deadline,
        owner_id=owner_id,
        notes=notes,
        created_by=user,
    )
    goal.full_clean()
    goal.save()
    log_household_action(user, AuditAction.CREATE, "Goal created", goal, request)
    return goal


@transaction.atomic
def goal_update(*, user, goal_id: int, data: dict, request=None) -> Goal:
    """Owner changes are checked for household membership by the API's serializer."""
    goal = goal_get(user=user, goal_id=goal_id, write=True)
    data = {k: v for k, v in data.items() if k in UPDATABLE}
    goal, changed = model_update(instance=goal, fields=UPDATABLE, data=data)
    if changed:
        log_household_action(user, AuditAction.UPDATE, "Goal updated", goal, request, fields=sorted(data))
        if "target_amount" in data:
            _check_milestones_after_commit(goal.id)
    return goal


@transaction.atomic
def goal_delete(*, user, goal_id: int, request=None) -> None:
    goal = goal_get(user=user, goal_id=goal_id, write=True)
    log_household_action(user, AuditAction.DELETE, "Goal deleted", goal, request, name=goal.name)
    goal.delete()


@transaction.atomic
def goal_contribute(
    *, user, goal_id: int, amount: Decimal, contributed_on: date | None = None, note: str = "", request=None
) -> GoalContribution:
    """Add to a goal. The balance moves by one `SET current_amount = current_amount + x` UPDATE, so
    concurrent contributions serialize on the row instead of overwriting each other."""
    goal = goal_get(user=user, goal_id=goal_id, write=True)
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
    log_household_action(
        user,
        AuditAction.GOAL_CONTRIBUTION,
        "Contribution to goal",
        goal,
        request,
        contribution_id=contribution.id,
        amount=str(amount),
    )
    _check_milestones_after_commit(goal.id)
    return contribution


def _check_milestones_after_commit(goal_id: int) -> None:
    """Announce a milestone right away instead of at the next daily run (which stays the safety net)."""
    from apps.goals.tasks import check_goal_milestones_for_goal

    transaction.on_commit(lambda: _enqueue_quietly(check_goal_milestones_for_goal, goal_id))


def _enqueue_quietly(task, *args) -> None:
    try:
        task.apply_async(args=args)
    except Exception:  # the daily job will catch up; a broker outage must not fail the request
        logger.warning("Could not enqueue %s%s", task.name, args, exc_info=True)
