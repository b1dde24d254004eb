from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.goals.models import Goal
from apps.goals.tasks import check_goal_milestones
from apps.households.models import Household, Membership, Role
from apps.notifications.models import Notification
from apps.users.models import User

pytestmark = pytest.mark.django_db


def seed(n: int, tag: str, households: int = 10) -> None:
    users = User.objects.bulk_create([User(email=f"g{tag}-{i}@example.com") for i in range(households)])
    homes = Household.objects.bulk_create([Household(name=f"H{tag}{i}") for i in range(households)])
    Membership.objects.bulk_create(
        [Membership(household=h, user=u, role=Role.OWNER) for h, u in zip(homes, users, strict=True)]
    )
    Goal.objects.bulk_create(
        [
            Goal(
                household=homes[i % households],
                name=f"G{i}",
                target_amount=Decimal("100.00"),
                current_amount=Decimal("60.00"),
                currency="USD",
            )
            for i in range(n)
        ]
    )


def queries_for_run() -> int:
    with CaptureQueriesContext(connection) as captured:
        check_goal_milestones.apply()
    return len(captured)


def test_query_count_for_1000_goals_is_within_a_small_constant_of_100(settings):
    settings.GOAL_MILESTONE_CHUNK_SIZE = 500
    seed(100, "a")
    small = queries_for_run()
    seed(1000, "b")
    large = queries_for_run()
    assert Notification.objects.count() == 1100
    assert large <= small + 40, (small, large)
