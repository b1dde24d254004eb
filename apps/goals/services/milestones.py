"""Milestones: announce 25/50/75/100 % once per goal and milestone.

Exactly once through GoalMilestoneReached's unique (goal, milestone): a run inserts the milestones it sees
with ON CONFLICT DO NOTHING under its own run_id and announces only rows carrying that id. Crossing several
milestones at once (0 → 80 %) records 25, 50 and 75 but announces only 75.

A contribution (or a target change) runs this for its goal inside its own transaction, right after the
UPDATE that moved the balance: that UPDATE holds the goal's row lock until commit, so concurrent
contributions to one goal record their milestones one after the other, each sees what the previous one
recorded, and each milestone is announced by the contribution that crossed it, in order. (Before, an
on-commit task checked later; contributions 50 ms apart had all committed by then and only the highest
milestone was announced.) Once recorded, a milestone stays recorded: falling below it (a raised target)
and crossing it again announces nothing.

The daily job is the safety net (e.g. a goal written outside the API): candidates are found in SQL (the
highest milestone reached is above the highest recorded), processed in id ranges with a fixed number of
queries each, and fanned out as chunk tasks when there is more than one range.
"""

import uuid
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Case, F, IntegerField, OuterRef, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.db.models.lookups import GreaterThanOrEqual

from apps.common.batching import IdRange, id_ranges
from apps.common.currencies import format_amount
from apps.goals.models import MILESTONES, Goal, GoalMilestoneReached
from apps.households.models import WRITE_ROLES, Membership
from apps.notifications.models import NotificationKind
from apps.notifications.services import NotificationSpec, notifications_deliver

# SQLite does this arithmetic in floating point; the margin keeps an exact 25.00 % from looking like 24.99.
# Amounts have at most four decimals, so a real shortfall of current*100 below target*m is at least 0.0025
# and the margin never admits one. The Python check below, in Decimal, has the last word.
_FLOAT_MARGIN = Value(Decimal("0.001"))


def _reached_expression() -> Case:
    scaled = F("current_amount") * Value(100) + _FLOAT_MARGIN
    whens = [
        When(GreaterThanOrEqual(scaled, F("target_amount") * Value(m)), then=Value(m))
        for m in sorted(MILESTONES, reverse=True)
    ]
    return Case(*whens, default=Value(0), output_field=IntegerField())


def _candidates() -> QuerySet[Goal]:
    recorded = (
        GoalMilestoneReached.objects.filter(goal_id=OuterRef("pk"))
        .order_by("-milestone")
        .values("milestone")[:1]
    )
    return Goal.objects.annotate(
        reached=_reached_expression(), recorded=Coalesce(Subquery(recorded), Value(0))
    ).filter(reached__gt=F("recorded"))


def milestones_reached(current: Decimal, target: Decimal) -> list[int]:
    return [m for m in MILESTONES if current * 100 >= target * m]


def goal_milestone_ranges(*, chunk_size: int | None = None) -> list[IdRange]:
    return id_ranges(_candidates(), chunk_size=chunk_size or settings.GOAL_MILESTONE_CHUNK_SIZE)


@transaction.atomic
def goal_milestones_check_range(*, start_id: int, end_id: int) -> int:
    """Record and announce new milestones of goals with ids in [start_id, end_id]; returns announcements."""
    _, sent = _record_and_announce(_candidates().filter(id__gte=start_id, id__lte=end_id))
    return sent


def goal_milestones_claim(*, goal_id: int) -> list[int]:
    """Inside the transaction that changed the goal (and holds its row lock): record and announce what it
    crossed. Returns the milestones newly recorded, lowest first."""
    recorded, _ = _record_and_announce(_candidates().filter(id=goal_id))
    return recorded.get(goal_id, [])


def _record_and_announce(candidates: QuerySet[Goal]) -> tuple[dict[int, list[int]], int]:
    rows = list(
        candidates.order_by("id").values_list(
            "id",
            "household_id",
            "name",
            "current_amount",
            "target_amount",
            "currency",
            "owner_id",
            "household__name",
        )
    )
    run_id = uuid.uuid4()
    GoalMilestoneReached.objects.bulk_create(
        [
            GoalMilestoneReached(goal_id=row[0], milestone=m, run_id=run_id)
            for row in rows
            for m in milestones_reached(row[3], row[4])
        ],
        ignore_conflicts=True,
        batch_size=1000,
    )
    recorded: dict[int, list[int]] = {}
    for goal_id, crossed in (
        GoalMilestoneReached.objects.filter(run_id=run_id)
        .order_by("milestone")
        .values_list("goal_id", "milestone")
    ):
        recorded.setdefault(goal_id, []).append(crossed)
    if not recorded:
        return {}, 0
    newest = {goal_id: milestones[-1] for goal_id, milestones in recorded.items()}

    members: dict[int, list[list[Any]]] = {}
    member_rows = (
        Membership.objects.filter(household_id__in=sorted({r[1] for r in rows}), user__is_active=True)
        .order_by("household_id", "user_id")
        .values_list("household_id", "user_id", "role", "user__email", "user__first_name")
    )
    for household_id, *member in member_rows:
        members.setdefault(household_id, []).append(member)

    specs = []
    for goal_id, household_id, name, current, target, currency, owner_id, household_name in rows:
        milestone = newest.get(goal_id)
        if milestone is None:
            continue
        household_members = members.get(household_id, [])
        recipients = [m for m in household_members if m[0] == owner_id] or [
            m for m in household_members if m[1] in WRITE_ROLES
        ]
        title = f"{name} reached {milestone}%" if milestone < 100 else f"{name} is fully funded"
        saved, goal = format_amount(current, currency), format_amount(target, currency)
        for user_id, _, email, first_name in recipients:
            specs.append(
                NotificationSpec(
                    user_id=user_id,
                    email=email,
                    kind=NotificationKind.GOAL_MILESTONE,
                    title=title,
                    body=f"{saved} of {goal} {currency} saved ({household_name}).",
                    link=f"/goals/{goal_id}",
                    household_id=household_id,
                    dedupe_key=f"goal_milestone:{goal_id}:{milestone}:{user_id}",
                    email_context={
                        "name": first_name or email,
                        "goal_name": name,
                        "milestone": milestone,
                        "current_amount": saved,
                        "target_amount": goal,
                        "currency": currency,
                        "household_name": household_name,
                    },
                )
            )
    notifications_deliver(specs)
    return recorded, len(specs)
