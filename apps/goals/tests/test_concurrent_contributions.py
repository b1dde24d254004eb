"""Contributions from many threads at once (each its own connection and transaction) are all kept."""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from apps.goals.models import Goal, GoalContribution
from apps.goals.tests.factories import GoalFactory
from apps.households.models import Role
from apps.households.tests.factories import household_with
from apps.users.tests.factories import UserFactory

THREADS = 8
PER_THREAD = 5


@pytest.mark.django_db(transaction=True)
def test_concurrent_contributions_are_never_lost(client_for):
    users = [UserFactory() for _ in range(THREADS)]
    household = household_with(users[0], Role.OWNER)
    for member in users[1:]:
        household.memberships.create(user=member, role=Role.MEMBER)
    goal = GoalFactory(household=household, target_amount="100000.00")
    clients = [client_for(u) for u in users]
    barrier = threading.Barrier(THREADS)
    statuses: list[int] = []
    lock = threading.Lock()

    def contribute(client):
        try:
            barrier.wait()
            for _ in range(PER_THREAD):
                response = client.post(
                    f"/api/v1/goals/{goal.id}/contributions/", {"amount": "1.25"}, format="json"
                )
                with lock:
                    statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=contribute, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert statuses == [201] * THREADS * PER_THREAD
    goal.refresh_from_db()
    assert goal.current_amount == Decimal("1.25") * THREADS * PER_THREAD
    assert GoalContribution.objects.filter(goal=goal).count() == THREADS * PER_THREAD
    assert Goal.objects.get(id=goal.id).current_amount == sum(
        c.amount for c in GoalContribution.objects.all()
    )
