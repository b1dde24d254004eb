"""DELETE /api/v1/auth/me/ — deleting one's own account."""

import re
from datetime import timedelta

import pytest
from rest_framework.test import APIClient

from apps.audit.models import AuditAction, AuditLog
from apps.households.models import Household, Membership, Role
from apps.households.tests.factories import MembershipFactory, household_with
from apps.notifications.models import Notification, NotificationPreference
from apps.notifications.tests.factories import NotificationFactory
from apps.users.models import EmailOTP, LoginSession, RecoveryCode, TotpDevice, User
from apps.users.tests.account_support import ME, RESET_SUBJECT, ask_reset, login, mails, refresh, refused
from apps.users.tests.factories import UserFactory
from apps.users.tests.mfa_helpers import enable_mfa, totp_code
from apps.users.tests.mfa_helpers import wrong as mfa_wrong
from apps.users.tests.otp_helpers import request_code
from apps.users.tests.registration_support import register
from apps.users.tests.secret_scan import database_hits

pytestmark = pytest.mark.django_db
PREFERENCES = "/api/v1/notifications/preferences/"


def delete_account(client, password):
    return client.delete(ME, {"password": password}, format="json")


def test_deletion_signs_out_everywhere_and_login_is_refused_like_any_failure(auth_client, user, password):
    phone = APIClient()
    phone_tokens = login(phone, user.email, password).json()

    assert delete_account(auth_client, password).status_code == 204

    assert auth_client.get(ME).status_code == 401
    assert refresh(phone, phone_tokens["refresh"]).status_code == 401
    assert refresh(phone, auth_client.tokens["refresh"]).status_code == 401
    after = login(phone, user.email, password)
    unknown = login(phone, "nobody@example.com", password)
    assert after.status_code == unknown.status_code == 401
    assert after.json() == unknown.json()


def test_personal_data_is_erased_and_audit_rows_keep_an_anonymised_actor(
    client_for, password, mailoutbox, api_client
):
    ann = UserFactory(first_name="Bartholomew", last_name="Quixote")
    old_email = ann.email
    login(APIClient(), old_email, "WrongPass123!")  # an audit row with the address in its metadata
    # an email-OTP row, an outbox row to the address and the worker's audit row (run inline on commit)
    request_code(api_client, old_email)
    client = client_for(ann)
    TotpDevice.objects.create(user=ann, secret_encrypted="x", confirmed_at=ann.created_at)
    RecoveryCode.objects.create(user=ann, code_hash="h" * 64)

    assert delete_account(client, password).status_code == 204

    ann.refresh_from_db()
    assert re.fullmatch(r"deleted-[0-9a-f]{32}@deleted\.invalid", ann.email)  # random, not the id (issue 13)
    assert (ann.first_name, ann.last_name, ann.is_active, ann.is_staff) == ("", "", False, False)
    assert not ann.has_usable_password()
    assert ann.deleted_at is not None
    for model in (LoginSession, EmailOTP, TotpDevice, RecoveryCode):
        assert not model.objects.filter(user=ann).exists(), model
    assert database_hits(old_email) == []
    assert database_hits("Bartholomew") == []
    assert database_hits("Quixote") == []
    actions = set(AuditLog.objects.filter(actor=ann).values_list("action_type", flat=True))
    assert {AuditAction.LOGIN_FAILED, AuditAction.OTP_REQUESTED, AuditAction.ACCOUNT_DELETED} <= actions


def test_wrong_or_missing_password_changes_nothing(auth_client, user, password, clock):
    response = delete_account(auth_client, "NotMyPass123!")
    refused(response, 400, "wrong_password")
    assert set(response.json()) == {"error", "code"}  # one shape: no field errors beside the envelope
    # no password: only a recent proof on this session would do, and the login is no longer recent
    clock.advance(timedelta(minutes=5, seconds=1))
    refused(auth_client.delete(ME, {}, format="json"), 403, "reauthentication_required")
    assert auth_client.get(ME).status_code == 200
    assert AuditLog.objects.filter(action_type=AuditAction.ACCOUNT_DELETE_REFUSED, actor=user).count() == 1


def test_the_last_owner_of_a_shared_household_gets_a_409_naming_it(auth_client, user, password):
    shared = household_with(user, name="Smith family")
    MembershipFactory(household=shared, role=Role.VIEWER)
    alone = household_with(user, name="My notes")

    response = delete_account(auth_client, password)

    body = refused(response, 409, "last_owner")
    assert "Smith family" in body["error"]
    assert "My notes" not in body["error"]
    assert body["households"] == [{"id": shared.id, "name": "Smith family"}]
    assert auth_client.get(ME).status_code == 200
    assert Household.objects.filter(id__in=[shared.id, alone.id]).count() == 2
    assert AuditLog.objects.filter(action_type=AuditAction.ACCOUNT_DELETE_REFUSED).count() == 1


def test_with_another_owner_the_user_just_leaves_the_household(auth_client, user, password):
    shared = household_with(user)
    other_owner = MembershipFactory(household=shared, role=Role.OWNER)
    assert delete_account(auth_client, password).status_code == 204
    assert list(Membership.objects.filter(household=shared)) == [other_owner]
    left = AuditLog.objects.get(action_type=AuditAction.MEMBER_LEFT)
    assert (left.actor_id, left.object_id) == (user.pk, str(shared.id))


def test_a_household_the_user_alone_belongs_to_is_deleted_with_the_account(auth_client, user, password):
    alone = household_with(user)
    assert delete_account(auth_client, password).status_code == 204
    assert not Household.objects.filter(id=alone.id).exists()
    row = AuditLog.objects.get(action_type=AuditAction.ACCOUNT_DELETED)
    assert row.metadata["households_deleted"] == [alone.id]


def test_a_member_who_is_not_an_owner_is_never_blocked(auth_client, user, password):
    household = household_with(user, role=Role.ADMIN)
    assert delete_account(auth_client, password).status_code == 204
    assert Household.objects.filter(id=household.id).exists()
    assert not Membership.objects.filter(user=user).exists()


def test_the_address_is_free_again_and_gets_no_reset_for_the_old_account(
    auth_client, user, password, mailoutbox
):
    old_email = user.email
    assert delete_account(auth_client, password).status_code == 204
    anonymous = APIClient()
    ask_reset(anonymous, old_email)
    user.refresh_from_db()
    ask_reset(anonymous, user.email)
    assert mails(mailoutbox, old_email, RESET_SUBJECT) == []
    assert register(anonymous, old_email).status_code == 201
    assert User.objects.filter(email=old_email).exclude(pk=user.pk).exists()


def test_deletion_needs_a_login(api_client, password):
    assert delete_account(api_client, password).status_code == 401


def test_attempts_are_limited_per_user(auth_client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "account_delete_user": "2/h"}
    codes = [delete_account(auth_client, "NotMyPass123!").status_code for _ in range(3)]
    assert codes == [400, 400, 429]


@pytest.fixture
def mfa_secret(auth_client, clock):
    secret, _ = enable_mfa(auth_client)
    clock.advance(timedelta(seconds=30))  # the confirming code's step is spent
    return secret


def test_with_mfa_on_a_totp_code_can_confirm_the_deletion(auth_client, user, mfa_secret):
    response = auth_client.delete(ME, {"code": totp_code(mfa_secret)}, format="json")
    assert response.status_code == 204, response.content
    user.refresh_from_db()
    assert user.deleted_at is not None
    assert not TotpDevice.objects.filter(user=user).exists()


def test_a_wrong_totp_code_is_refused_and_audited(auth_client, user, mfa_secret):
    response = auth_client.delete(ME, {"code": mfa_wrong(totp_code(mfa_secret))}, format="json")
    refused(response, 400, "invalid_mfa_code")
    assert auth_client.get(ME).status_code == 200
    assert AuditLog.objects.filter(action_type=AuditAction.MFA_FAILED, actor=user).count() == 1
    assert AuditLog.objects.filter(action_type=AuditAction.ACCOUNT_DELETE_REFUSED, actor=user).count() == 1


def test_while_totp_is_paused_a_deletion_by_code_is_a_429_not_a_refusal(
    auth_client, user, mfa_secret, settings
):
    settings.MFA_FAILURE_BUDGET = 2
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "account_delete_user": "100/h"}
    for _ in range(2):
        refused(
            auth_client.delete(ME, {"code": mfa_wrong(totp_code(mfa_secret))}, format="json"),
            400,
            "invalid_mfa_code",
        )
    paused = auth_client.delete(ME, {"code": totp_code(mfa_secret)}, format="json")
    assert paused.status_code == 429
    assert paused.json()["code"] == "throttled"
    assert int(paused["Retry-After"]) > 3600
    assert auth_client.get(ME).status_code == 200


def test_a_code_is_refused_when_mfa_is_off(auth_client):
    refused(auth_client.delete(ME, {"code": "123456"}, format="json"), 400, "mfa_not_enabled")
    assert auth_client.get(ME).status_code == 200


def test_a_409_spends_no_code(auth_client, user, mfa_secret):
    shared = household_with(user, name="Smith family")
    member = MembershipFactory(household=shared, role=Role.MEMBER)
    code = totp_code(mfa_secret)
    refused(auth_client.delete(ME, {"code": code}, format="json"), 409, "last_owner")
    Membership.objects.filter(id=member.id).update(role=Role.OWNER)
    assert auth_client.delete(ME, {"code": code}, format="json").status_code == 204


def test_notifications_and_notification_preferences_go_with_the_account(auth_client, user, password):
    NotificationFactory(user=user)
    patch = auth_client.patch(PREFERENCES + "bill_reminder/", {"email": False}, format="json")
    assert patch.status_code == 200
    someone_else = NotificationFactory()
    assert delete_account(auth_client, password).status_code == 204
    assert not Notification.objects.filter(user=user).exists()
    assert not NotificationPreference.objects.filter(user=user).exists()
    assert Notification.objects.filter(id=someone_else.id).exists()
    rows = AuditLog.objects.get(action_type=AuditAction.ACCOUNT_DELETED).metadata["rows_removed"]
    assert rows["notifications.Notification"] == 1
    assert rows["notifications.NotificationPreference"] == 1
