"""Milestones at 25/50/75/100 %: announced once each, to the right people, by contribution or daily job."""

from decimal import Decimal

import pytest

from apps.emails.models import EmailOutbox
from apps.goals.models import Goal, GoalMilestoneReached
from apps.goals.tasks import check_goal_milestones
from apps.goals.tests.factories import GoalFactory
from apps.households.models import Role
from apps.households.tests.factories import MembershipFactory, household_with
from apps.notifications.models import Notification

pytestmark = pytest.mark.django_db


def run_job():
    result = check_goal_milestones.apply()
    assert result.successful(), result.traceback
    return result.result


@pytest.fixture
def household(user):
    home = household_with(user, Role.OWNER, name="Nest")
    MembershipFactory(household=home, role=Role.VIEWER)
    return home


def contribute(client, goal, amount):
    response = client.post(f"/api/v1/goals/{goal.id}/contributions/", {"amount": amount}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def test_crossing_25_percent_notifies_in_app_and_by_email(auth_client, user, household, mailoutbox):
    goal = GoalFactory(household=household, name="Car", target_amount="400.00")
    body = contribute(auth_client, goal, "100")
    assert body["goal"]["progress_percent"] == "25.00"

    [notification] = Notification.objects.all()
    assert (notification.user_id, notification.title, notification.link) == (
        user.id,
        "Car reached 25%",
        f"/goals/{goal.id}",
    )
    [email] = mailoutbox
    assert email.to == [user.email]
    assert email.subject == "A savings goal reached a milestone"
    assert "has reached 25%: 100.00 of 400.00 USD" in email.body
    assert auth_client.get(f"/api/v1/goals/{goal.id}/").json()["milestones_reached"] == [25]


def test_jumping_past_several_milestones_announces_only_the_highest(auth_client, household):
    goal = GoalFactory(household=household, name="Roof", target_amount="1000.00")
    contribute(auth_client, goal, "800")
    assert list(Notification.objects.values_list("title", flat=True)) == ["Roof reached 75%"]
    assert sorted(GoalMilestoneReached.objects.values_list("milestone", flat=True)) == [25, 50, 75]
    contribute(auth_client, goal, "200")
    assert Notification.objects.filter(title="Roof is fully funded").count() == 1


def test_small_contributions_within_a_band_announce_nothing_new(auth_client, household):
    goal = GoalFactory(household=household, target_amount="100.00")
    contribute(auth_client, goal, "30")
    contribute(auth_client, goal, "10")
    contribute(auth_client, goal, "9.99")
    assert Notification.objects.count() == 1  # 25 % only; 49.99 % is not 50 %
    contribute(auth_client, goal, "0.01")
    assert Notification.objects.count() == 2


def test_goal_owner_alone_is_notified(auth_client, user, household):
    partner = MembershipFactory(household=household, role=Role.MEMBER).user
    goal = GoalFactory(household=household, owner=partner, target_amount="100.00")
    contribute(auth_client, goal, "50")
    assert list(Notification.objects.values_list("user_id", flat=True)) == [partner.id]


def test_daily_job_announces_each_milestone_once_even_when_run_twice(
    household, user, django_capture_on_commit_callbacks, mailoutbox
):
    second = MembershipFactory(household=household, role=Role.ADMIN).user
    GoalFactory(household=household, target_amount="100.00", current_amount="50.00")
    GoalFactory(household=household, target_amount="100.00", current_amount="100.00")
    GoalFactory(household=household, target_amount="100.00", current_amount="24.99")
    with django_capture_on_commit_callbacks(execute=True):
        assert run_job() == {"chunks": 1, "sent": 4}
        assert run_job() == {"chunks": 0, "sent": 0}
    assert Notification.objects.count() == 4
    assert {n.user_id for n in Notification.objects.all()} == {user.id, second.id}
    assert EmailOutbox.objects.count() == 4
    assert len(mailoutbox) == 4


def test_lowering_the_target_can_reach_a_milestone(auth_client, household):
    goal = GoalFactory(household=household, target_amount="1000.00", current_amount="300.00")
    run_job()
    auth_client.patch(f"/api/v1/goals/{goal.id}/", {"target_amount": "600"}, format="json")
    assert sorted(GoalMilestoneReached.objects.values_list("milestone", flat=True)) == [25, 50]


def test_exact_percentages_count_despite_floating_point(auth_client, household):
    # SQLite does the candidate arithmetic in floats, where 0.21 * 100 < 0.28 * 75
    goal = GoalFactory(household=household, target_amount="0.28", current_amount="0.14")
    run_job()
    Goal.objects.filter(id=goal.id).update(current_amount=Decimal("0.21"))  # now exactly 75 %
    run_job()
    assert sorted(GoalMilestoneReached.objects.values_list("milestone", flat=True)) == [25, 50, 75]
    near = GoalFactory(household=household, target_amount="333.33", current_amount="83.33")  # 24.9992 %
    assert run_job()["sent"] == 0
    contribute(auth_client, near, "0.01")  # 25.0022 %
    assert GoalMilestoneReached.objects.filter(goal=near).count() == 1


def test_fan_out_into_chunks(household, settings):
    settings.GOAL_MILESTONE_CHUNK_SIZE = 2
    GoalFactory.create_batch(5, household=household, current_amount="600.00")
    assert run_job() == {"chunks": 3, "sent": None}
    assert Notification.objects.count() == 5
    assert all(n.title.endswith("reached 50%") for n in Notification.objects.all())


def test_preferences_turn_email_off(auth_client, household, mailoutbox):
    auth_client.patch("/api/v1/notifications/preferences/goal_milestone/", {"email": False}, format="json")
    goal = GoalFactory(household=household, target_amount=Decimal(10))
    contribute(auth_client, goal, "10")
    assert Notification.objects.count() == 1
    assert mailoutbox == []
