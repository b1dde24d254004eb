"""A removed or demoted manager keeps no way back in through invitations they sent, and an admin cannot undo
an owner's admin invitation (issue 13). Each test plays the attack over HTTP."""

import re

import pytest

from apps.audit.models import AuditAction, AuditLog
from apps.households.models import HouseholdInvite, Membership, Role
from apps.households.tests.factories import MembershipFactory, household_with
from apps.users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
ACCEPT = "/api/v1/invites/accept/"
TOKEN_RE = re.compile(r"/invites/accept\?token=([A-Za-z0-9_\-]+)")


@pytest.fixture
def owner():
    return UserFactory()


@pytest.fixture
def admin():
    return UserFactory()


@pytest.fixture
def household(owner, admin):
    household = household_with(owner)
    MembershipFactory(household=household, user=admin, role=Role.ADMIN)
    return household


@pytest.fixture
def accomplice():
    """The second address of the manager who is about to lose their rights."""
    return UserFactory(email="accomplice@example.com")


def invites_url(household) -> str:
    return f"/api/v1/households/{household.id}/invites/"


def members_url(household, user) -> str:
    return f"/api/v1/households/{household.id}/members/{user.id}/"


def send_invite(client, household, email: str, role: str, mailoutbox) -> tuple[int, str]:
    response = client.post(invites_url(household), {"email": email, "role": role}, format="json")
    assert response.status_code == 201, response.content
    token = TOKEN_RE.search(mailoutbox[-1].body)
    assert token, mailoutbox[-1].body
    return response.json()["id"], token.group(1)


def accept(client, token: str):
    return client.post(ACCEPT, {"token": token}, format="json")


def assert_refused(response, status: int, code: str) -> None:
    assert response.status_code == status, response.content
    assert response.json()["code"] == code


def revocation_audit(household) -> AuditLog:
    return AuditLog.objects.get(
        action_type=AuditAction.INVITE_REVOKED, object_id=str(household.id), metadata__has_key="reason"
    )


def test_an_invitation_from_a_removed_admin_stops_working(
    client_for, owner, admin, household, accomplice, mailoutbox
):
    invite_id, token = send_invite(client_for(admin), household, accomplice.email, "member", mailoutbox)
    assert client_for(owner).delete(members_url(household, admin)).status_code == 204

    assert_refused(accept(client_for(accomplice), token), 404, "invite_not_found")
    assert not Membership.objects.filter(household=household, user=accomplice).exists()
    row = revocation_audit(household)
    assert (row.actor, row.metadata["invite_ids"], row.metadata["invited_by"]) == (
        owner,
        [invite_id],
        admin.id,
    )
    assert "removed" in row.metadata["reason"]


def test_an_invitation_from_a_demoted_admin_stops_working(
    client_for, owner, admin, household, accomplice, mailoutbox
):
    _, token = send_invite(client_for(admin), household, accomplice.email, "viewer", mailoutbox)
    owner_client = client_for(owner)
    assert (
        owner_client.patch(members_url(household, admin), {"role": "member"}, format="json").status_code
        == 200
    )

    assert_refused(accept(client_for(accomplice), token), 404, "invite_not_found")
    assert "admin to member" in revocation_audit(household).metadata["reason"]


def test_an_invitation_from_an_admin_who_left_stops_working(
    client_for, admin, household, accomplice, mailoutbox
):
    admin_client = client_for(admin)
    _, token = send_invite(admin_client, household, accomplice.email, "member", mailoutbox)
    assert admin_client.post(f"/api/v1/households/{household.id}/leave/").status_code == 204

    assert_refused(accept(client_for(accomplice), token), 404, "invite_not_found")
    assert revocation_audit(household).actor == admin


def test_an_owner_demoted_to_admin_keeps_only_the_invitations_an_admin_could_send(
    client_for, owner, household, mailoutbox
):
    co_owner = UserFactory()
    MembershipFactory(household=household, user=co_owner, role=Role.OWNER)
    as_admin, as_member = (
        UserFactory(email="to-admin@example.com"),
        UserFactory(email="to-member@example.com"),
    )
    owner_client = client_for(owner)
    admin_invite, admin_token = send_invite(owner_client, household, as_admin.email, "admin", mailoutbox)
    _, member_token = send_invite(owner_client, household, as_member.email, "member", mailoutbox)

    demote = client_for(co_owner).patch(members_url(household, owner), {"role": "admin"}, format="json")
    assert demote.status_code == 200, demote.content

    assert_refused(accept(client_for(as_admin), admin_token), 404, "invite_not_found")
    assert accept(client_for(as_member), member_token).status_code == 200
    assert revocation_audit(household).metadata["invite_ids"] == [admin_invite]


def test_accepting_checks_that_the_inviter_may_still_grant_the_role(
    client_for, admin, household, accomplice, mailoutbox
):
    """The inviter deletes their account: the membership goes, the open invitation stays (it belongs to the
    household), and accepting it is refused because nobody with the right vouches for it any more."""
    admin_client = client_for(admin)
    invite_id, token = send_invite(admin_client, household, accomplice.email, "member", mailoutbox)
    assert (
        admin_client.delete("/api/v1/auth/me/", {"password": "SecurePass123!"}, format="json").status_code
        == 204
    )
    assert HouseholdInvite.objects.get(id=invite_id).revoked_at is None

    assert_refused(accept(client_for(accomplice), token), 403, "inviter_not_allowed")
    assert not Membership.objects.filter(household=household, user=accomplice).exists()


def test_an_invitation_sent_before_a_silent_demotion_is_refused_at_accept(
    client_for, admin, household, accomplice, mailoutbox
):
    """An invitation left open from before this rule (its sender demoted without the revocation): the check at
    accept time holds on its own."""
    _, token = send_invite(client_for(admin), household, accomplice.email, "member", mailoutbox)
    Membership.objects.filter(household=household, user=admin).update(role=Role.VIEWER)

    assert_refused(accept(client_for(accomplice), token), 403, "inviter_not_allowed")


def test_an_admin_cannot_revoke_an_owners_admin_invitation(client_for, owner, admin, household, mailoutbox):
    invite_id, _ = send_invite(client_for(owner), household, "new-admin@example.com", "admin", mailoutbox)

    assert_refused(client_for(admin).delete(f"{invites_url(household)}{invite_id}/"), 403, "not_allowed")
    assert HouseholdInvite.objects.get(id=invite_id).revoked_at is None
    assert client_for(owner).delete(f"{invites_url(household)}{invite_id}/").status_code == 204


def test_an_admin_can_revoke_an_owners_member_invitation(client_for, owner, admin, household, mailoutbox):
    invite_id, _ = send_invite(client_for(owner), household, "new-member@example.com", "member", mailoutbox)
    assert client_for(admin).delete(f"{invites_url(household)}{invite_id}/").status_code == 204
    assert HouseholdInvite.objects.get(id=invite_id).revoked_at is not None


def test_invitations_of_other_managers_are_untouched(
    client_for, owner, admin, household, accomplice, mailoutbox
):
    _, token = send_invite(client_for(owner), household, accomplice.email, "member", mailoutbox)
    assert client_for(owner).delete(members_url(household, admin)).status_code == 204
    assert accept(client_for(accomplice), token).status_code == 200


def test_the_schema_documents_the_new_codes():
    from drf_spectacular.generators import SchemaGenerator

    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    assert "inviter_not_allowed" in paths["/api/v1/invites/accept/"]["post"]["description"]
    revoke = paths["/api/v1/households/{household_id}/invites/{invite_id}/"]["delete"]
    assert "not_allowed" in revoke["description"]
