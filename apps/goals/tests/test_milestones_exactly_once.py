"""Milestones under concurrency: each crossed once, announced by the contribution that crossed it, in order,
and listed in that contribution's response. Runs on whatever DATABASE_URL names (Postgres and SQLite)."""

import threading

import pytest
from django.db import connection

from apps.goals.models import GoalMilestoneReached
from apps.goals.tests.factories import GoalFactory
from apps.households.models import Role
from apps.households.tests.factories import household_with
from apps.notifications.models import Notification
from apps.users.tests.factories import UserFactory

TITLES = {25: "Trip reached 25%", 50: "Trip reached 50%", 75: "Trip reached 75%", 100: "Trip is fully funded"}


def contribute(client, goal, amount):
    response = client.post(f"/api/v1/goals/{goal.id}/contributions/", {"amount": amount}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def announced(goal, user) -> list[str]:
    return list(
        Notification.objects.filter(user=user, link=f"/goals/{goal.id}")
        .order_by("id")
        .values_list("title", flat=True)
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("amounts", [["30", "25", "50"], ["25", "25", "25", "25"], ["10"] * 12])
def test_parallel_contributions_announce_each_crossing_once_and_in_order(client_for, amounts):
    """The issue's case: 0 → 30 → 55 → 105 % within milliseconds announced only "fully funded" (an
    on-commit task looked after all had committed) and every response said milestones_crossed: []."""
    users = [UserFactory() for _ in amounts]
    household = household_with(users[0], Role.OWNER)
    for member in users[1:]:
        household.memberships.create(user=member, role=Role.MEMBER)
    goal = GoalFactory(household=household, name="Trip", target_amount="100.00")
    clients = [client_for(u) for u in users]
    barrier = threading.Barrier(len(amounts))
    bodies: list[dict] = []
    lock = threading.Lock()

    def run(client, amount):
        try:
            barrier.wait()
            body = contribute(client, goal, amount)
            with lock:
                bodies.append(body)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=pair) for pair in zip(clients, amounts, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(bodies) == len(amounts)
    crossed = [m for body in bodies for m in body["milestones_crossed"]]
    reached = [m for m in (25, 50, 75, 100) if sum(map(float, amounts)) >= m]
    assert sorted(crossed) == reached  # every milestone crossed by exactly one contribution
    assert (
        sorted(GoalMilestoneReached.objects.filter(goal=goal).values_list("milestone", flat=True)) == reached
    )
    # One announcement per contribution that crossed something (its highest), in the order they happened.
    expected = sorted(
        (max(b["milestones_crossed"]) for b in bodies if b["milestones_crossed"]),
    )
    for user in users:
        assert announced(goal, user) == [TITLES[m] for m in expected]


@pytest.mark.django_db
def test_the_response_lists_what_the_contribution_crossed(auth_client, user):
    household = household_with(user, Role.OWNER)
    goal = GoalFactory(household=household, name="Trip", target_amount="100.00")
    first = contribute(auth_client, goal, "30")
    assert first["milestones_crossed"] == [25]
    assert first["goal"]["milestones_reached"] == [25]  # recorded before the answer, not later
    assert contribute(auth_client, goal, "10")["milestones_crossed"] == []
    last = contribute(auth_client, goal, "70")
    assert last["milestones_crossed"] == [50, 75, 100]
    assert last["goal"]["status"] == "achieved"
    assert announced(goal, user) == ["Trip reached 25%", "Trip is fully funded"]


@pytest.mark.django_db
def test_falling_below_a_milestone_and_crossing_it_again_announces_nothing_new(auth_client, user):
    """Contributions cannot be withdrawn; a raised target is the only way below a milestone. A milestone is
    announced once per goal, ever: the second crossing is not news."""
    household = household_with(user, Role.OWNER)
    goal = GoalFactory(household=household, name="Trip", target_amount="100.00")
    contribute(auth_client, goal, "60")
    response = auth_client.patch(f"/api/v1/goals/{goal.id}/", {"target_amount": "400"}, format="json")
    assert response.status_code == 200
    assert response.json()["progress_percent"] == "15.00"
    assert contribute(auth_client, goal, "150")["milestones_crossed"] == []  # 52.5 %: 25 and 50 again
    assert contribute(auth_client, goal, "100")["milestones_crossed"] == [75]
    assert announced(goal, user) == ["Trip reached 50%", "Trip reached 75%"]
    assert auth_client.delete(f"/api/v1/goals/{goal.id}/contributions/").status_code == 405


@pytest.mark.django_db
def test_lowering_the_target_announces_the_milestone_it_crosses(auth_client, user):
    household = household_with(user, Role.OWNER)
    goal = GoalFactory(household=household, name="Trip", target_amount="100.00")
    contribute(auth_client, goal, "40")
    response = auth_client.patch(f"/api/v1/goals/{goal.id}/", {"target_amount": "50"}, format="json")
    assert response.status_code == 200
    assert response.json()["milestones_reached"] == [25, 50, 75]
    assert announced(goal, user) == ["Trip reached 25%", "Trip reached 75%"]
