"""POST /api/v1/auth/email/change/ and /change/confirm/ — a new address, applied only once it is confirmed."""

from datetime import timedelta

import pytest
from rest_framework.test import APIClient

from apps.audit.models import AuditAction, AuditLog
from apps.users.tests.account_support import (
    CHANGE_OLD_SUBJECT,
    CHANGE_SUBJECT,
    CHANGED_NOTICE,
    EMAIL_CHANGE_CONFIRM,
    ME,
    RESET_SUBJECT,
    ask_email_change,
    ask_reset,
    code_in,
    confirm_old_address_by_link,
    last_mail,
    login,
    mails,
    refresh,
    refused,
    reset_with_token,
    token_in,
    wrong,
)
from apps.users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
NEW = "ann.new@mailbox.example.com"


def confirm(client, **body):
    return client.post(EMAIL_CHANGE_CONFIRM, body, format="json")


@pytest.fixture
def change_mail(auth_client, password, mailoutbox):
    """Ask (signed in) to move to NEW; return the email NEW received."""
    response = ask_email_change(auth_client, NEW, password)
    assert response.status_code == 200, response.content
    return last_mail(mailoutbox, NEW, CHANGE_SUBJECT)


def test_the_new_address_gets_a_link_and_a_code_and_nothing_changes_yet(
    auth_client, api_client, user, password, mailoutbox, settings
):
    settings.FRONTEND_URL = "https://app.kinwise.test"
    old = user.email
    response = ask_email_change(auth_client, NEW, password)
    assert response.status_code == 200
    assert response.json()["expires_in"] == 86400
    mail = last_mail(mailoutbox, NEW, CHANGE_SUBJECT)
    assert "https://app.kinwise.test/confirm-email-change?token=" in mail.body
    assert code_in(mail.body)
    # the current address is told at once: its own link and code, and a cancel link; the new one only masked
    told = last_mail(mailoutbox, old, CHANGE_OLD_SUBJECT)
    assert "https://app.kinwise.test/cancel-email-change?token=" in told.body
    assert "https://app.kinwise.test/confirm-email-change?token=" in told.body
    assert code_in(told.body)
    assert "a***@m***.com" in told.body
    assert NEW not in told.body
    assert NEW not in told.alternatives[0][0]
    assert [m.to for m in mailoutbox] == [[NEW], [old]]
    assert auth_client.get(ME).json()["email"] == old
    assert login(api_client, old, password).status_code == 200
    assert login(api_client, NEW, password).status_code == 401
    row = AuditLog.objects.get(action_type=AuditAction.EMAIL_CHANGE_REQUESTED)
    assert row.actor == user
    assert row.metadata == {
        "new_email": NEW,
        "sent": True,
        "old_address_confirms": True,
    }


def test_confirming_by_both_links_changes_the_email_and_tells_the_old_address_masked(
    auth_client, api_client, user, password, change_mail, mailoutbox
):
    old = user.email
    first = confirm(api_client, token=token_in(change_mail.body, "confirm-email-change"))
    assert first.status_code == 200, first.content
    assert first.json()["changed"] is False
    assert first.json()["waiting_for"] == "old_address"
    assert first.json()["email"] == old
    response = confirm_old_address_by_link(api_client, mailoutbox, old)
    assert response.status_code == 200, response.content
    assert response.json() == {
        "message": "Your email address has been changed. Every session was signed out: sign in with the new "
        "address.",
        "email": NEW,
        "changed": True,
        "waiting_for": None,
    }
    assert login(api_client, NEW, password).status_code == 200
    assert login(api_client, old, password).status_code == 401

    [notice] = mails(mailoutbox, old, CHANGED_NOTICE)
    assert "a***@m***.com" in notice.body
    assert "a***@m***.com" in notice.alternatives[0][0]
    assert NEW not in notice.body
    assert NEW not in notice.alternatives[0][0]
    assert mails(mailoutbox, NEW, CHANGED_NOTICE) == []
    row = AuditLog.objects.get(action_type=AuditAction.EMAIL_CHANGED)
    assert row.actor == user
    assert (row.metadata["old_email"], row.metadata["new_email"]) == (old, NEW)


def test_the_notice_never_shows_the_new_address_even_without_a_first_name(api_client, client_for, mailoutbox):
    nameless = UserFactory(first_name="")
    client = client_for(nameless)
    old = nameless.email
    ask_email_change(client, NEW, "SecurePass123!")
    assert NEW not in last_mail(mailoutbox, old, CHANGE_OLD_SUBJECT).body
    confirm(client, code=code_in(last_mail(mailoutbox, NEW, CHANGE_SUBJECT).body))
    confirm(client, code=code_in(last_mail(mailoutbox, old, CHANGE_OLD_SUBJECT).body), address="old")
    [notice] = mails(mailoutbox, old, CHANGED_NOTICE)
    assert NEW not in notice.body
    assert NEW not in notice.alternatives[0][0]


def test_confirming_by_codes_needs_the_signed_in_account(
    auth_client, api_client, user, password, change_mail, mailoutbox
):
    old = user.email
    code = code_in(change_mail.body)
    response = confirm(APIClient(), code=code)
    assert response.status_code == 401
    assert confirm(auth_client, code=code).json()["waiting_for"] == "old_address"
    old_code = code_in(last_mail(mailoutbox, old, CHANGE_OLD_SUBJECT).body)
    done = confirm(auth_client, code=old_code, address="old")
    assert done.status_code == 200
    assert done.json()["changed"] is True
    assert login(api_client, NEW, password).status_code == 200


def test_every_session_is_signed_out_when_the_change_applies_the_requesting_one_too(
    auth_client, api_client, user, password, change_mail, mailoutbox
):
    phone = login(api_client, user.email, password).json()
    assert confirm(api_client, token=token_in(change_mail.body, "confirm-email-change")).status_code == 200
    assert confirm_old_address_by_link(api_client, mailoutbox, user.email).json()["changed"] is True
    assert refresh(api_client, phone["refresh"]).status_code == 401
    assert refresh(api_client, auth_client.tokens["refresh"]).status_code == 401


def test_wrong_current_password_sends_nothing(auth_client, mailoutbox):
    response = ask_email_change(auth_client, NEW, "NotMyPass123!")
    refused(response, 400, "wrong_password")
    assert set(response.json()) == {"error", "code"}  # one shape: no field errors beside the envelope
    assert mailoutbox == []
    assert AuditLog.objects.filter(action_type=AuditAction.EMAIL_CHANGE_FAILED).count() == 1


def test_an_address_in_use_is_refused_at_request(auth_client, user, password, mailoutbox):
    taken = UserFactory()
    response = ask_email_change(auth_client, taken.email.upper(), password)
    assert response.status_code == 400
    assert response.json() == {"new_email": ["A user with this email already exists."]}
    assert mailoutbox == []


def test_with_enumeration_prevention_an_address_in_use_gets_the_usual_answer_and_no_email(
    auth_client, password, mailoutbox, settings
):
    settings.ACCOUNT_PREVENT_ENUMERATION = True
    taken = UserFactory()
    free = ask_email_change(auth_client, NEW, password)
    hidden = ask_email_change(auth_client, taken.email, password)
    assert (hidden.status_code, hidden.json()) == (free.status_code, free.json())
    assert [m.to for m in mailoutbox] == [[NEW], [auth_client.get(ME).json()["email"]]]


def test_an_address_taken_before_confirmation_is_refused_with_409(
    auth_client, api_client, user, change_mail, mailoutbox
):
    old = user.email
    assert confirm_old_address_by_link(api_client, mailoutbox, old).json()["waiting_for"] == "new_address"
    UserFactory(email=NEW.upper())
    response = confirm(api_client, token=token_in(change_mail.body, "confirm-email-change"))
    refused(response, 409, "email_taken")
    assert auth_client.get(ME).json()["email"] == old
    assert AuditLog.objects.filter(action_type=AuditAction.EMAIL_CHANGED).count() == 0


def test_your_own_address_is_refused(auth_client, user, password):
    response = ask_email_change(auth_client, f"  {user.email.upper()} ", password)
    assert response.status_code == 400
    assert "new_email" in response.json()


def test_the_link_works_once(api_client, user, change_mail, mailoutbox):
    token = token_in(change_mail.body, "confirm-email-change")
    assert confirm(api_client, token=token).status_code == 200
    refused(confirm(api_client, token=token), 400, "invalid_token")
    assert confirm_old_address_by_link(api_client, mailoutbox, user.email).json()["changed"] is True
    api_client.credentials()  # the change signed every session out, this one too
    refused(confirm(api_client, token=token), 400, "invalid_token")
    refused(confirm_old_address_by_link(api_client, mailoutbox, user.email), 400, "invalid_token")


def test_the_link_and_code_expire_after_24_hours(auth_client, api_client, user, change_mail, clock):
    old = user.email
    clock.advance(timedelta(hours=24, seconds=1))
    refused(confirm(api_client, token=token_in(change_mail.body, "confirm-email-change")), 400, "expired")
    refused(confirm(auth_client, code=code_in(change_mail.body)), 400, "expired")
    assert auth_client.get(ME).json()["email"] == old


def test_a_new_request_replaces_the_older_one(auth_client, api_client, user, password, mailoutbox):
    old = user.email
    ask_email_change(auth_client, NEW, password)
    first_old = last_mail(mailoutbox, old, CHANGE_OLD_SUBJECT)
    ask_email_change(auth_client, "second@mailbox.example.com", password)
    first = last_mail(mailoutbox, NEW, CHANGE_SUBJECT)
    refused(confirm(api_client, token=token_in(first.body, "confirm-email-change")), 400, "invalid_token")
    refused(confirm(api_client, token=token_in(first_old.body, "confirm-email-change")), 400, "invalid_token")
    refused(confirm(auth_client, code=code_in(first.body)), 400, "invalid_code")
    second = last_mail(mailoutbox, "second@mailbox.example.com", CHANGE_SUBJECT)
    assert confirm(auth_client, code=code_in(second.body)).status_code == 200
    second_old = last_mail(mailoutbox, old, CHANGE_OLD_SUBJECT)
    assert confirm(auth_client, code=code_in(second_old.body), address="old").json()["changed"] is True
    api_client.credentials()  # the change signed every session out
    assert login(api_client, "second@mailbox.example.com", password).status_code == 200


def test_five_tries_per_code(auth_client, change_mail):
    code = code_in(change_mail.body)
    for _ in range(5):
        refused(confirm(auth_client, code=wrong(code)), 400, "invalid_code")
    refused(confirm(auth_client, code=code), 400, "invalid_code")


def test_a_reset_link_sent_to_the_old_address_dies_with_the_change(api_client, user, change_mail, mailoutbox):
    old = user.email
    ask_reset(api_client, old)
    reset_mail = last_mail(mailoutbox, old, RESET_SUBJECT)
    assert confirm(api_client, token=token_in(change_mail.body, "confirm-email-change")).status_code == 200
    assert confirm_old_address_by_link(api_client, mailoutbox, old).json()["changed"] is True
    refused(reset_with_token(api_client, token_in(reset_mail.body, "reset-password")), 400, "invalid_token")


def test_a_password_reset_voids_a_pending_change(api_client, user, change_mail, mailoutbox):
    ask_reset(api_client, user.email)
    reset_mail = last_mail(mailoutbox, user.email, RESET_SUBJECT)
    assert reset_with_token(api_client, token_in(reset_mail.body, "reset-password")).status_code == 200
    api_client.credentials()  # the reset ended the session, so its access token is refused now (issue 13)
    refused(
        confirm(api_client, token=token_in(change_mail.body, "confirm-email-change")),
        400,
        "email_change_void",
    )


def test_with_the_old_address_step_off_the_new_address_alone_applies_and_the_old_is_still_told(
    auth_client, api_client, user, password, mailoutbox, settings
):
    settings.EMAIL_CHANGE_CONFIRM_OLD_ADDRESS = False
    old = user.email
    assert ask_email_change(auth_client, NEW, password).status_code == 200
    told = last_mail(mailoutbox, old, CHANGE_OLD_SUBJECT)
    assert "/cancel-email-change?token=" in told.body
    assert "/confirm-email-change" not in told.body
    response = confirm(auth_client, code=code_in(last_mail(mailoutbox, NEW, CHANGE_SUBJECT).body))
    assert response.status_code == 200
    assert response.json()["changed"] is True
    assert login(api_client, NEW, password).status_code == 200


def test_neither_token_nor_code_is_a_field_error(auth_client):
    response = confirm(auth_client)
    assert response.status_code == 400
    assert "non_field_errors" in response.json()


def test_requesting_needs_a_login(api_client):
    assert ask_email_change(api_client, NEW, "SecurePass123!").status_code == 401


def test_requests_are_limited_per_user(auth_client, password, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "email_change_user": "2/h"}
    codes = [
        ask_email_change(auth_client, f"n{i}@mailbox.example.com", password).status_code for i in range(3)
    ]
    assert codes == [200, 200, 429]
