import re
from datetime import timedelta

import pytest

from apps.audit.models import AuditLog
from apps.emails.models import EmailOutbox
from apps.households.models import HouseholdInvite, Membership, Role
from apps.households.tests.factories import MembershipFactory, household_with
from apps.users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
ACCEPT = "/api/v1/invites/accept/"
TOKEN_RE = re.compile(r"/invites/accept\?token=([A-Za-z0-9_\-]+)")


def invites_url(household):
    return f"/api/v1/households/{household.id}/invites/"


def token_from(message) -> str:
    token = TOKEN_RE.search(message.body)
    assert token, message.body
    return token.group(1)


@pytest.fixture
def owner():
    return UserFactory(first_name="Olive", last_name="Owner")


@pytest.fixture
def household(owner):
    return household_with(owner, name="Green House")


def invite(client, household, email, role="member"):
    response = client.post(invites_url(household), {"email": email, "role": role}, format="json")
    assert response.status_code == 201, response.content
    return response


def test_invite_email_carries_a_working_single_use_link(client_for, owner, household, mailoutbox):
    guest = UserFactory(email="guest@example.com")
    response = invite(client_for(owner), household, "Guest@Example.com", role="viewer")
    assert "token" not in response.content.decode()

    [message] = mailoutbox
    assert message.to == ["guest@example.com"]
    assert "Olive Owner invited you" in message.body
    assert "Green House" in message.alternatives[0][0]
    token = token_from(message)
    assert token in message.alternatives[0][0]

    guest_client = client_for(guest)
    accepted = guest_client.post(ACCEPT, {"token": token}, format="json")
    assert accepted.status_code == 200, accepted.content
    assert (accepted.json()["id"], accepted.json()["role"]) == (household.id, "viewer")
    assert Membership.objects.get(household=household, user=guest).role == Role.VIEWER

    again = guest_client.post(ACCEPT, {"token": token}, format="json")
    assert again.status_code == 409
    assert again.json()["code"] == "invite_used"


def test_token_is_not_stored_in_plaintext_anywhere(client_for, owner, household, mailoutbox):
    invite(client_for(owner), household, "guest@example.com")
    token = token_from(mailoutbox[0])
    stored = HouseholdInvite.objects.get()
    assert token not in stored.token_hash
    assert len(stored.token_hash) == 64
    outbox = EmailOutbox.objects.get()
    assert token not in str(outbox.context)
    assert outbox.secret_context is None or token not in outbox.secret_context
    assert not any(token in str(row.metadata) + row.description for row in AuditLog.objects.all())


def test_invite_expires(client_for, owner, household, mailoutbox, clock, settings):
    guest = UserFactory(email="late@example.com")
    invite(client_for(owner), household, guest.email)
    clock.advance(timedelta(days=settings.HOUSEHOLD_INVITE_TTL_DAYS, seconds=1))
    response = client_for(guest).post(ACCEPT, {"token": token_from(mailoutbox[0])}, format="json")
    assert response.status_code == 410
    assert response.json()["code"] == "invite_expired"
    assert not Membership.objects.filter(user=guest).exists()


def test_only_the_invited_address_can_accept(client_for, owner, household, mailoutbox):
    invite(client_for(owner), household, "intended@example.com")
    thief = UserFactory(email="thief@example.com")
    response = client_for(thief).post(ACCEPT, {"token": token_from(mailoutbox[0])}, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "invite_email_mismatch"
    assert not Membership.objects.filter(user=thief).exists()


def test_unknown_token_is_404_and_missing_token_is_400(auth_client):
    assert auth_client.post(ACCEPT, {"token": "nope"}, format="json").status_code == 404
    assert auth_client.post(ACCEPT, {}, format="json").status_code == 400
    assert auth_client.post(ACCEPT, {"token": ["a"]}, format="json").status_code == 400


def test_accept_requires_authentication(api_client):
    assert api_client.post(ACCEPT, {"token": "x"}, format="json").status_code == 401


def test_reinviting_replaces_the_open_invite(client_for, owner, household, mailoutbox):
    client = client_for(owner)
    invite(client, household, "guest@example.com")
    invite(client, household, "guest@example.com", role="admin")
    first, second = (token_from(m) for m in mailoutbox)
    guest = client_for(UserFactory(email="guest@example.com"))
    assert guest.post(ACCEPT, {"token": first}, format="json").status_code == 404
    assert guest.post(ACCEPT, {"token": second}, format="json").json()["role"] == "admin"


def test_revoked_invite_cannot_be_accepted(client_for, owner, household, mailoutbox):
    client = client_for(owner)
    invite_id = invite(client, household, "guest@example.com").json()["id"]
    assert client.get(invites_url(household)).json()["count"] == 1
    assert client.delete(f"{invites_url(household)}{invite_id}/").status_code == 204
    assert client.get(invites_url(household)).json()["count"] == 0
    guest = client_for(UserFactory(email="guest@example.com"))
    assert guest.post(ACCEPT, {"token": token_from(mailoutbox[0])}, format="json").status_code == 404


def test_admin_cannot_invite_admins_and_members_cannot_invite(client_for, household):
    admin, member = UserFactory(), UserFactory()
    MembershipFactory(household=household, user=admin, role=Role.ADMIN)
    MembershipFactory(household=household, user=member, role=Role.MEMBER)
    admin_client = client_for(admin)
    response = admin_client.post(
        invites_url(household), {"email": "a@example.com", "role": "admin"}, format="json"
    )
    assert response.status_code == 403
    invite(admin_client, household, "a@example.com", role="member")
    response = client_for(member).post(invites_url(household), {"email": "b@example.com"}, format="json")
    assert response.status_code == 403
    assert client_for(member).get(invites_url(household)).status_code == 403


def test_inviting_an_existing_member_is_409(client_for, owner, household):
    member = UserFactory()
    MembershipFactory(household=household, user=member)
    response = client_for(owner).post(invites_url(household), {"email": member.email.upper()}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "already_member"


def test_owner_role_cannot_be_invited_and_bad_email_is_400(client_for, owner, household):
    client = client_for(owner)
    assert (
        client.post(
            invites_url(household), {"email": "x@example.com", "role": "owner"}, format="json"
        ).status_code
        == 400
    )
    assert client.post(invites_url(household), {"email": "not-an-email"}, format="json").status_code == 400


def test_outsider_cannot_invite_into_a_household(auth_client, household):
    response = auth_client.post(invites_url(household), {"email": "x@example.com"}, format="json")
    assert response.status_code == 404


def test_invites_are_rate_limited_per_user(client_for, owner, household, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "household_invite_user": "2/h"}
    client = client_for(owner)
    for n in range(2):
        invite(client, household, f"g{n}@example.com")
    response = client.post(invites_url(household), {"email": "g9@example.com"}, format="json")
    assert response.status_code == 429
