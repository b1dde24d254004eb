from typing import Any

from django.db.models import F, QuerySet

from apps.goals.models import Goal, GoalContribution
from apps.households.selectors import scoped, scoped_get
from apps.users.models import User


def goal_list(*, user: User, filters: dict[str, Any] | None = None) -> QuerySet[Goal]:
    filters = filters or {}
    goals = scoped(Goal.objects.all(), user=user, household_id=filters.get("household"))
    if filters.get("achieved") is True:
        goals = goals.filter(current_amount__gte=F("target_amount"))
    elif filters.get("achieved") is False:
        goals = goals.filter(current_amount__lt=F("target_amount"))
    return goals.select_related("household").prefetch_related("milestones").order_by("deadline", "id")


def goal_get(*, user: User, goal_id: int, write: bool = False) -> Goal:
    return scoped_get(Goal.objects.all(), user=user, pk=goal_id, write=write)


def goal_contribution_list(*, user: User, goal_id: int) -> QuerySet[GoalContribution]:
    goal = goal_get(user=user, goal_id=goal_id)
    return (
        GoalContribution.objects.filter(goal_id=goal.id)
        .select_related("user", "goal")
        .order_by("-contributed_on", "-id")
    )
