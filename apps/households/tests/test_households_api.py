import pytest

from apps.households.models import Role
from apps.households.tests.factories import household_with
from apps.users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
HOUSEHOLDS = "/api/v1/households/"


def test_creator_becomes_owner_and_sees_household_in_list(auth_client):
    response = auth_client.post(
        HOUSEHOLDS, {"name": "The Smiths", "time_zone": "Europe/Paris", "currency": "eur"}, format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["name"], body["time_zone"], body["currency"], body["role"]) == (
        "The Smiths",
        "Europe/Paris",
        "EUR",
        "owner",
    )
    listed = auth_client.get(HOUSEHOLDS).json()
    assert listed["count"] == 1
    assert listed["results"][0]["id"] == body["id"]


def test_defaults_are_utc_and_usd(auth_client):
    body = auth_client.post(HOUSEHOLDS, {"name": "Home"}, format="json").json()
    assert (body["time_zone"], body["currency"]) == ("UTC", "USD")


def test_a_user_can_belong_to_several_households(auth_client, user):
    household_with(user, Role.VIEWER)
    household_with(user, Role.MEMBER)
    auth_client.post(HOUSEHOLDS, {"name": "Mine"}, format="json")
    roles = sorted(h["role"] for h in auth_client.get(HOUSEHOLDS).json()["results"])
    assert roles == ["member", "owner", "viewer"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "X", "time_zone": "Mars/Olympus"}, "time_zone"),
        ({"name": "X", "time_zone": "localtime"}, "time_zone"),
        ({"name": "X", "currency": "ZZZ"}, "currency"),
        ({"name": "X", "currency": "EURO"}, "currency"),
        ({"name": "x" * 151}, "name"),
        ({"name": ["list"]}, "name"),
        ({"name": "X", "time_zone": 12}, "time_zone"),
        ({}, "name"),
    ],
)
def test_bad_input_is_a_field_error(auth_client, body, field):
    response = auth_client.post(HOUSEHOLDS, body, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_non_member_gets_404_for_someone_elses_household(auth_client):
    other = household_with(UserFactory())
    for method in ("get", "patch", "delete"):
        response = getattr(auth_client, method)(
            f"{HOUSEHOLDS}{other.id}/", {"name": "Mine now"}, format="json"
        )
        assert response.status_code == 404, method
    assert auth_client.get(f"{HOUSEHOLDS}{other.id}/members/").status_code == 404


def test_unknown_and_absurd_ids_are_404(auth_client):
    assert auth_client.get(f"{HOUSEHOLDS}999999/").status_code == 404
    assert auth_client.get(f"{HOUSEHOLDS}{10**30}/").status_code == 404


def test_owner_and_admin_can_rename_but_member_and_viewer_cannot(client_for):
    for role, expected in [(Role.OWNER, 200), (Role.ADMIN, 200), (Role.MEMBER, 403), (Role.VIEWER, 403)]:
        user = UserFactory()
        household = household_with(user, role)
        response = client_for(user).patch(
            f"{HOUSEHOLDS}{household.id}/", {"time_zone": "Asia/Tokyo"}, format="json"
        )
        assert response.status_code == expected, role


def test_only_owner_can_delete(client_for):
    admin = UserFactory()
    household = household_with(admin, Role.ADMIN)
    assert client_for(admin).delete(f"{HOUSEHOLDS}{household.id}/").status_code == 403
    owner = household.memberships.get(role=Role.OWNER).user
    assert client_for(owner).delete(f"{HOUSEHOLDS}{household.id}/").status_code == 204
    assert client_for(owner).get(f"{HOUSEHOLDS}{household.id}/").status_code == 404


def test_members_list_shows_everyone_to_any_member(client_for):
    viewer = UserFactory()
    household = household_with(viewer, Role.VIEWER)
    body = client_for(viewer).get(f"{HOUSEHOLDS}{household.id}/members/").json()
    assert sorted(m["role"] for m in body["results"]) == ["owner", "viewer"]


def test_household_list_has_a_fixed_query_budget(auth_client, user, django_assert_max_num_queries):
    for _ in range(5):
        household_with(user, Role.MEMBER)
    with django_assert_max_num_queries(6):
        assert auth_client.get(HOUSEHOLDS).json()["count"] == 5
