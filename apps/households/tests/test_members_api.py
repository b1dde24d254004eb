import pytest

from apps.households.models import Membership, Role
from apps.households.tests.factories import MembershipFactory, household_with
from apps.users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def url(household, user=None, suffix=""):
    base = f"/api/v1/households/{household.id}/"
    return f"{base}members/{user.id}/" if user else f"{base}{suffix}"


def role_of(household, user):
    return Membership.objects.get(household=household, user=user).role


def test_last_owner_cannot_leave(client_for):
    owner = UserFactory()
    household = household_with(owner)
    MembershipFactory(household=household, role=Role.ADMIN)
    response = client_for(owner).post(url(household, suffix="leave/"))
    assert response.status_code == 409
    assert response.json()["code"] == "last_owner"
    assert "owner" in response.json()["error"]
    assert role_of(household, owner) == Role.OWNER


def test_last_owner_cannot_be_demoted_even_by_themself(client_for):
    owner = UserFactory()
    household = household_with(owner)
    response = client_for(owner).patch(url(household, owner), {"role": "admin"}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "last_owner"


def test_last_owner_cannot_remove_themself(client_for):
    owner = UserFactory()
    household = household_with(owner)
    assert client_for(owner).delete(url(household, owner)).status_code == 409


def test_an_owner_can_leave_once_another_owner_exists(client_for):
    owner, second = UserFactory(), UserFactory()
    household = household_with(owner)
    MembershipFactory(household=household, user=second, role=Role.MEMBER)
    client = client_for(owner)
    assert client.patch(url(household, second), {"role": "owner"}, format="json").status_code == 200
    assert client.post(url(household, suffix="leave/")).status_code == 204
    assert client.get(url(household)).status_code == 404
    assert role_of(household, second) == Role.OWNER


def test_member_can_leave(client_for):
    member = UserFactory()
    household = household_with(member, Role.MEMBER)
    assert client_for(member).post(url(household, suffix="leave/")).status_code == 204
    assert not Membership.objects.filter(household=household, user=member).exists()


def test_admin_manages_members_and_viewers_only(client_for):
    admin, member, other_admin = UserFactory(), UserFactory(), UserFactory()
    household = household_with(admin, Role.ADMIN)
    MembershipFactory(household=household, user=member, role=Role.MEMBER)
    MembershipFactory(household=household, user=other_admin, role=Role.ADMIN)
    owner = household.memberships.get(role=Role.OWNER).user
    client = client_for(admin)

    assert client.patch(url(household, member), {"role": "viewer"}, format="json").status_code == 200
    assert role_of(household, member) == Role.VIEWER
    assert client.patch(url(household, member), {"role": "admin"}, format="json").status_code == 403
    assert client.patch(url(household, member), {"role": "owner"}, format="json").status_code == 403
    assert client.patch(url(household, other_admin), {"role": "viewer"}, format="json").status_code == 403
    assert client.patch(url(household, owner), {"role": "viewer"}, format="json").status_code == 403
    assert client.delete(url(household, owner)).status_code == 403
    assert client.delete(url(household, member)).status_code == 204
    assert role_of(household, owner) == Role.OWNER


def test_members_and_viewers_cannot_manage(client_for):
    for role in (Role.MEMBER, Role.VIEWER):
        actor, target = UserFactory(), UserFactory()
        household = household_with(actor, role)
        MembershipFactory(household=household, user=target, role=Role.VIEWER)
        client = client_for(actor)
        assert client.patch(url(household, target), {"role": "member"}, format="json").status_code == 403
        assert client.delete(url(household, target)).status_code == 403


def test_unknown_member_is_404_and_bad_role_is_400(client_for):
    owner = UserFactory()
    household = household_with(owner)
    client = client_for(owner)
    assert client.patch(url(household, UserFactory()), {"role": "member"}, format="json").status_code == 404
    response = client.patch(url(household, owner), {"role": "emperor"}, format="json")
    assert response.status_code == 400
    assert "role" in response.json()


def test_non_member_cannot_touch_members_and_learns_nothing(client_for):
    outsider, owner = UserFactory(), UserFactory()
    household = household_with(owner)
    client = client_for(outsider)
    assert client.patch(url(household, owner), {"role": "viewer"}, format="json").status_code == 404
    assert client.delete(url(household, owner)).status_code == 404
    assert client.post(url(household, suffix="leave/")).status_code == 404
