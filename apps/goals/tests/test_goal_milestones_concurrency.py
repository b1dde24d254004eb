"""Concurrent milestone runs (job against job, and job against the per-contribution check) announce once."""

import threading

import pytest
from django.db import connection

from apps.goals.models import GoalMilestoneReached
from apps.goals.tasks import check_goal_milestones, check_goal_milestones_for_goal
from apps.goals.tests.factories import GoalFactory
from apps.households.models import Role
from apps.households.tests.factories import MembershipFactory, household_with
from apps.notifications.models import Notification
from apps.users.tests.factories import UserFactory


def run_in_threads(targets) -> None:
    barrier = threading.Barrier(len(targets))
    errors = []

    def work(target):
        try:
            barrier.wait()
            result = target()
            assert result.successful(), result.traceback
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(t,)) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("chunk_size", [500, 3], ids=["inline", "fanned-out"])
def test_concurrent_milestone_runs_announce_each_milestone_once(settings, mailoutbox, chunk_size):
    settings.GOAL_MILESTONE_CHUNK_SIZE = chunk_size
    home = household_with(UserFactory(), Role.OWNER)
    MembershipFactory(household=home, role=Role.MEMBER)
    goals = [
        GoalFactory(household=home, current_amount=amount) for amount in ("250", "500", "750", "1000") * 3
    ]

    targets = [check_goal_milestones.apply] * 3 + [
        lambda g=goal: check_goal_milestones_for_goal.apply(args=[g.id]) for goal in goals[:2]
    ]
    run_in_threads(targets)

    assert GoalMilestoneReached.objects.count() == (1 + 2 + 3 + 4) * 3
    assert Notification.objects.count() == len(goals) * 2
    assert Notification.objects.values("dedupe_key").distinct().count() == len(goals) * 2
    assert len(mailoutbox) == len(goals) * 2
    assert check_goal_milestones.apply().result == {"chunks": 0, "sent": 0}
