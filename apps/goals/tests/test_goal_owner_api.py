"""A goal's owner is a member of its household: the goals service enforces it (not only a serializer), so
every caller gets the same 400 and nothing is written."""

from decimal import Decimal

import pytest

from apps.audit.models import AuditAction, AuditLog
from apps.common.exceptions import InvalidInput
from apps.goals.models import Goal
from apps.goals.services import goal_create
from apps.goals.tests.factories import GoalFactory
from apps.households.models import Membership, Role
from apps.households.tests.factories import MembershipFactory, household_with
from apps.users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
GOALS = "/api/v1/goals/"
NOT_A_MEMBER = {"owner": ["Not a member of this household."]}


@pytest.fixture
def household(user):
    return household_with(user, Role.ADMIN, currency="GBP")


def _goal_updates(goal) -> int:
    return AuditLog.objects.filter(
        action_type=AuditAction.UPDATE, object_type="goal", object_id=str(goal.id)
    ).count()


def test_making_an_outsider_the_owner_is_a_400_that_changes_nothing(auth_client, household, user):
    goal = GoalFactory(household=household, owner=user, name="Holiday")
    outsider = UserFactory()
    response = auth_client.patch(
        f"{GOALS}{goal.id}/", {"owner": outsider.id, "name": "Renamed"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == NOT_A_MEMBER
    goal.refresh_from_db()
    assert (goal.owner_id, goal.name) == (user.id, "Holiday")
    assert _goal_updates(goal) == 0


def test_a_member_who_left_can_no_longer_be_made_owner(auth_client, household):
    goal = GoalFactory(household=household)
    former = MembershipFactory(household=household).user
    Membership.objects.filter(household=household, user=former).delete()
    response = auth_client.patch(f"{GOALS}{goal.id}/", {"owner": former.id}, format="json")
    assert response.status_code == 400
    assert response.json() == NOT_A_MEMBER


def test_a_member_of_another_household_cannot_own_the_goal(auth_client, household):
    elsewhere = MembershipFactory().user
    response = auth_client.post(
        GOALS,
        {"household": household.id, "name": "Car", "target_amount": "900", "owner": elsewhere.id},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == NOT_A_MEMBER
    assert not Goal.objects.filter(household=household).exists()


def test_clearing_the_owner_and_naming_a_member_are_audited(auth_client, household):
    goal = GoalFactory(household=household)
    member = MembershipFactory(household=household).user
    assert (
        auth_client.patch(f"{GOALS}{goal.id}/", {"owner": member.id}, format="json").json()["owner"]
        == member.id
    )
    assert auth_client.patch(f"{GOALS}{goal.id}/", {"owner": None}, format="json").json()["owner"] is None
    assert _goal_updates(goal) == 2


def test_the_service_refuses_an_outsider_whoever_calls_it(household, user):
    with pytest.raises(InvalidInput) as refused:
        goal_create(
            user=user,
            household_id=household.id,
            name="Car",
            target_amount=Decimal(100),
            owner_id=UserFactory().id,
        )
    assert refused.value.errors == NOT_A_MEMBER
