import pytest

from apps.households.models import Role
from apps.households.tests.factories import household_with
from apps.notifications.models import Notification
from apps.notifications.tests.factories import NotificationFactory

pytestmark = pytest.mark.django_db
NOTIFICATIONS = "/api/v1/notifications/"


def test_list_shows_only_my_notifications_newest_first(auth_client, user):
    first = NotificationFactory(user=user, title="first")
    second = NotificationFactory(user=user, title="second")
    NotificationFactory(title="someone else's")
    body = auth_client.get(NOTIFICATIONS).json()
    assert body["count"] == 2
    assert [n["id"] for n in body["results"]] == [second.id, first.id]
    assert body["results"][0]["is_read"] is False


def test_unread_filter_and_mark_read(auth_client, user):
    notes = NotificationFactory.create_batch(3, user=user)
    response = auth_client.post(f"{NOTIFICATIONS}{notes[0].id}/read/")
    assert response.status_code == 200
    assert response.json()["is_read"] is True
    read_at = response.json()["read_at"]
    assert auth_client.post(f"{NOTIFICATIONS}{notes[0].id}/read/").json()["read_at"] == read_at
    assert auth_client.get(NOTIFICATIONS, {"unread": "true"}).json()["count"] == 2
    assert auth_client.get(NOTIFICATIONS, {"unread": "false"}).json()["count"] == 1
    assert auth_client.get(NOTIFICATIONS).json()["count"] == 3


def test_cannot_read_someone_elses_notification(auth_client):
    other = NotificationFactory()
    assert auth_client.post(f"{NOTIFICATIONS}{other.id}/read/").status_code == 404
    assert Notification.objects.get(id=other.id).read_at is None


def test_mark_all_read_touches_only_mine_and_optionally_one_household(auth_client, user):
    home, away = household_with(user), household_with(user)
    NotificationFactory.create_batch(2, user=user, household=home)
    NotificationFactory(user=user, household=away)
    stranger = NotificationFactory()
    response = auth_client.post(f"{NOTIFICATIONS}read-all/", {"household": home.id}, format="json")
    assert response.json() == {"updated": 2}
    assert auth_client.post(f"{NOTIFICATIONS}read-all/").json() == {"updated": 1}
    assert auth_client.get(NOTIFICATIONS, {"unread": "true"}).json()["count"] == 0
    assert Notification.objects.get(id=stranger.id).read_at is None


def test_list_is_paginated_and_filterable(auth_client, user):
    home = household_with(user, Role.MEMBER)
    NotificationFactory.create_batch(3, user=user, household=home)
    NotificationFactory.create_batch(2, user=user, kind="goal_milestone")
    assert auth_client.get(NOTIFICATIONS, {"household": home.id}).json()["count"] == 3
    assert auth_client.get(NOTIFICATIONS, {"kind": "goal_milestone"}).json()["count"] == 2
    page = auth_client.get(NOTIFICATIONS, {"page_size": 2, "page": 3}).json()
    assert (page["count"], len(page["results"]), page["next"]) == (5, 1, None)


def test_bad_filters_are_400_and_bad_page_is_404(auth_client):
    assert auth_client.get(NOTIFICATIONS, {"unread": "perhaps"}).status_code == 400
    assert auth_client.get(NOTIFICATIONS, {"kind": "spam"}).status_code == 400
    assert auth_client.get(NOTIFICATIONS, {"household": "-3"}).status_code == 400
    assert auth_client.get(NOTIFICATIONS, {"page": "abc"}).status_code == 404


def test_preferences_default_then_change(auth_client):
    defaults = {p["kind"]: p for p in auth_client.get(f"{NOTIFICATIONS}preferences/").json()}
    assert defaults["bill_reminder"] == {"kind": "bill_reminder", "email": True, "in_app": True}
    assert defaults["report_ready"]["email"] is False
    response = auth_client.patch(
        f"{NOTIFICATIONS}preferences/bill_reminder/", {"email": False}, format="json"
    )
    assert response.json() == {"kind": "bill_reminder", "email": False, "in_app": True}
    again = {p["kind"]: p for p in auth_client.get(f"{NOTIFICATIONS}preferences/").json()}
    assert again["bill_reminder"]["email"] is False


def test_bad_preference_input(auth_client):
    assert (
        auth_client.patch(f"{NOTIFICATIONS}preferences/spam/", {"email": True}, format="json").status_code
        == 404
    )
    response = auth_client.patch(
        f"{NOTIFICATIONS}preferences/bill_reminder/", {"email": "often"}, format="json"
    )
    assert response.status_code == 400
    assert "email" in response.json()


def test_notifications_require_authentication(api_client):
    assert api_client.get(NOTIFICATIONS).status_code == 401


def test_list_has_a_fixed_query_budget(auth_client, user, django_assert_max_num_queries):
    NotificationFactory.create_batch(25, user=user)
    with django_assert_max_num_queries(4):
        assert auth_client.get(NOTIFICATIONS).json()["count"] == 25
