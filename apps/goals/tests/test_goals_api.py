from decimal import Decimal

import pytest

from apps.goals.models import Goal
from apps.goals.tests.factories import GoalFactory
from apps.households.models import Role
from apps.households.tests.factories import MembershipFactory, household_with
from apps.users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
GOALS = "/api/v1/goals/"


@pytest.fixture
def household(user):
    return household_with(user, Role.ADMIN, currency="GBP")


def new_goal(home, **overrides):
    return {"household": home.id, "name": "Holiday", "target_amount": "2000", **overrides}


def test_create_goal_and_read_it_back(auth_client, household, user):
    response = auth_client.post(
        GOALS, new_goal(household, deadline="2036-06-30", owner=user.id), format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["target_amount"], body["current_amount"], body["currency"]) == ("2000.00", "0.00", "GBP")
    assert (body["owner"], body["deadline"], body["progress_percent"], body["milestones_reached"]) == (
        user.id,
        "2036-06-30",
        "0.00",
        [],
    )
    assert auth_client.get(f"{GOALS}{body['id']}/").json() == body


def test_owner_must_be_a_member_of_the_household(auth_client, household):
    outsider = UserFactory()
    response = auth_client.post(GOALS, new_goal(household, owner=outsider.id), format="json")
    assert response.status_code == 400
    assert "owner" in response.json()
    goal = GoalFactory(household=household)
    response = auth_client.patch(f"{GOALS}{goal.id}/", {"owner": outsider.id}, format="json")
    assert response.status_code == 400
    member = MembershipFactory(household=household).user
    assert (
        auth_client.patch(f"{GOALS}{goal.id}/", {"owner": member.id}, format="json").json()["owner"]
        == member.id
    )


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"target_amount": "-1"}, "target_amount"),
        ({"target_amount": "0"}, "target_amount"),
        ({"target_amount": "1" * 40}, "target_amount"),
        ({"target_amount": True}, "target_amount"),
        ({"deadline": "2025-13-01"}, "deadline"),
        ({"currency": "usd1"}, "currency"),
        ({"owner": "me"}, "owner"),
        ({"household": 10**30}, "household"),
        ({"household": 4242}, "household"),
    ],
)
def test_bad_goal_input_is_400(auth_client, household, overrides, field):
    response = auth_client.post(GOALS, new_goal(household, **overrides), format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Goal.objects.exists()


def test_non_member_gets_404_for_another_households_goal(auth_client):
    goal = GoalFactory()
    url = f"{GOALS}{goal.id}/"
    assert auth_client.get(url).status_code == 404
    assert auth_client.patch(url, {"name": "x"}, format="json").status_code == 404
    assert auth_client.delete(url).status_code == 404
    assert auth_client.post(f"{url}contributions/", {"amount": "5"}, format="json").status_code == 404
    assert auth_client.get(f"{url}contributions/").status_code == 404
    assert auth_client.get(GOALS).json()["count"] == 0


def test_viewer_cannot_create_change_or_contribute(client_for):
    viewer = UserFactory()
    household = household_with(viewer, Role.VIEWER)
    goal = GoalFactory(household=household)
    client = client_for(viewer)
    assert client.get(f"{GOALS}{goal.id}/").status_code == 200
    assert client.post(GOALS, new_goal(household), format="json").status_code == 403
    assert client.patch(f"{GOALS}{goal.id}/", {"name": "x"}, format="json").status_code == 403
    assert client.post(f"{GOALS}{goal.id}/contributions/", {"amount": "5"}, format="json").status_code == 403
    assert client.delete(f"{GOALS}{goal.id}/").status_code == 403
    goal.refresh_from_db()
    assert goal.current_amount == 0


def test_contributions_add_up_and_are_listed(auth_client, household):
    goal = GoalFactory(household=household, target_amount="100.00")
    url = f"{GOALS}{goal.id}/contributions/"
    first = auth_client.post(url, {"amount": "10.10", "contributed_on": "2025-01-02"}, format="json")
    assert first.status_code == 201, first.content
    second = auth_client.post(url, {"amount": 5}, format="json").json()
    assert (second["goal"]["current_amount"], second["goal"]["progress_percent"]) == ("15.10", "15.10")
    history = auth_client.get(url).json()
    assert history["count"] == 2
    assert {c["amount"] for c in history["results"]} == {"10.10", "5.00"}


@pytest.mark.parametrize("amount", ["-5", "0", "abc", "1e99", None, "0.001"])
def test_bad_contribution_is_400_and_changes_nothing(auth_client, household, amount):
    goal = GoalFactory(household=household)
    response = auth_client.post(f"{GOALS}{goal.id}/contributions/", {"amount": amount}, format="json")
    assert response.status_code == 400
    goal.refresh_from_db()
    assert goal.current_amount == 0


def test_contribution_past_the_storable_maximum_is_409_not_500(auth_client, household):
    goal = GoalFactory(household=household, target_amount="999999999999.99", current_amount="999999999999.00")
    response = auth_client.post(f"{GOALS}{goal.id}/contributions/", {"amount": "5"}, format="json")
    assert response.status_code == 409
    goal.refresh_from_db()
    assert goal.current_amount == Decimal("999999999999.00")


def test_contribution_date_cannot_be_in_the_future(auth_client, household):
    goal = GoalFactory(household=household)
    response = auth_client.post(
        f"{GOALS}{goal.id}/contributions/", {"amount": "5", "contributed_on": "2999-01-01"}, format="json"
    )
    assert response.status_code == 400
    assert "contributed_on" in response.json()


def test_goal_list_filters_by_household_and_achieved(auth_client, user, household):
    other = household_with(user, Role.MEMBER)
    GoalFactory(household=household, current_amount="1000.00")
    GoalFactory(household=household)
    GoalFactory(household=other)
    assert auth_client.get(GOALS).json()["count"] == 3
    assert auth_client.get(GOALS, {"household": household.id}).json()["count"] == 2
    assert auth_client.get(GOALS, {"achieved": "true"}).json()["count"] == 1
    assert auth_client.get(GOALS, {"household": "nope"}).status_code == 400


def test_goal_list_has_a_fixed_query_budget(auth_client, household, django_assert_max_num_queries):
    GoalFactory.create_batch(20, household=household)
    with django_assert_max_num_queries(6):
        assert auth_client.get(GOALS).json()["count"] == 20


def test_extreme_progress_is_reported_not_a_500(auth_client, household):
    goal = GoalFactory(household=household, target_amount="0.01", current_amount="999999999999.00")
    response = auth_client.get(f"{GOALS}{goal.id}/")
    assert response.status_code == 200
    assert response.json()["progress_percent"] == "9999999999990000.00"
    response = auth_client.patch(f"{GOALS}{goal.id}/", {"target_amount": "999999999999.99"}, format="json")
    assert response.json()["progress_percent"] == "100.00"
