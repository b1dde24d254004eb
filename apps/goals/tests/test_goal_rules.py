"""Goal rules: no past deadline on create, the target never silently below what is saved, derived status."""

from datetime import UTC, datetime, timedelta

import pytest

from apps.goals.tests.factories import GoalFactory
from apps.households.models import Role
from apps.households.tests.factories import household_with

pytestmark = pytest.mark.django_db
GOALS = "/api/v1/goals/"


@pytest.fixture
def household(user, clock):
    clock.set_now(datetime(2026, 3, 1, 3, 0, tzinfo=UTC))  # still 2026-02-28 in Los Angeles
    return household_with(user, Role.OWNER, time_zone="America/Los_Angeles")


def create(client, household, **fields):
    body = {"household": household.id, "name": "Bike", "target_amount": "100", **fields}
    return client.post(GOALS, body, format="json")


def test_a_deadline_in_the_past_is_refused_on_create(auth_client, household):
    response = create(auth_client, household, deadline="2000-01-01")
    assert response.status_code == 400
    assert response.json() == {"deadline": ["A deadline cannot be in the past."]}


def test_today_where_the_household_lives_is_not_past(auth_client, household):
    response = create(auth_client, household, deadline="2026-02-28")
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "in_progress"


def test_moving_a_deadline_into_the_past_is_refused_but_other_edits_are_not(auth_client, household):
    goal = create(auth_client, household, deadline="2026-03-10").json()
    url = f"{GOALS}{goal['id']}/"
    assert auth_client.patch(url, {"deadline": "2026-01-01"}, format="json").status_code == 400
    assert auth_client.patch(url, {"deadline": None}, format="json").status_code == 200


def test_target_below_the_saved_amount_is_400_and_equal_completes(auth_client, household):
    goal = create(auth_client, household, target_amount="200").json()
    url = f"{GOALS}{goal['id']}/"
    auth_client.post(f"{url}contributions/", {"amount": "120"}, format="json")
    response = auth_client.patch(url, {"target_amount": "100"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"target_amount": ["The target cannot be below the 120.00 USD already saved."]}
    response = auth_client.patch(url, {"target_amount": "120"}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert (body["progress_percent"], body["status"], body["milestones_reached"]) == (
        "100.00",
        "achieved",
        [25, 50, 75, 100],
    )


def test_status_moves_between_in_progress_overdue_and_achieved(auth_client, household, clock):
    goal = create(auth_client, household, deadline="2026-03-02").json()
    url = f"{GOALS}{goal['id']}/"
    assert auth_client.get(url).json()["status"] == "in_progress"
    clock.advance(timedelta(days=3))  # 2026-03-03 in Los Angeles: the deadline has passed
    assert auth_client.get(url).json()["status"] == "overdue"
    assert auth_client.patch(url, {"deadline": "2026-04-01"}, format="json").json()["status"] == "in_progress"
    auth_client.post(f"{url}contributions/", {"amount": "100"}, format="json")
    assert auth_client.get(url).json()["status"] == "achieved"
    assert auth_client.patch(url, {"target_amount": "150"}, format="json").json()["status"] == "in_progress"


def test_an_old_goal_past_its_deadline_lists_as_overdue(auth_client, household):
    goal = GoalFactory(household=household, deadline=datetime(2025, 1, 1, tzinfo=UTC).date())
    assert auth_client.get(f"{GOALS}{goal.id}/").json()["status"] == "overdue"
