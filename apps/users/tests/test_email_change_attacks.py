"""An intruder who knows the password tries to move the account to their own mailbox, played over HTTP with a
real worker, broker and SMTP server. Every step is what the intruder (or the owner) would do."""

from datetime import timedelta

import pytest
from rest_framework.test import APIClient

from apps.users.tests.account_support import (
    CHANGE_OLD_SUBJECT,
    CHANGE_SUBJECT,
    ME,
    NEW_PASSWORD,
    RESET_SUBJECT,
    REVOKE_OTHERS,
    SESSIONS,
    ask_email_change,
    ask_reset,
    cancel_email_change,
    change_password,
    code_in,
    confirm_email_change,
    login,
    refresh,
    refused,
    reset_with_token,
    token_in,
)
from apps.users.tests.factories import UserFactory
from apps.users.tests.mfa_helpers import DISABLE, enable_mfa, totp_code
from tests.support import text_part, wait_until

pytestmark = pytest.mark.requires_services
OWNER = "owner@home.example.com"
EVIL = "intruder@evil.example.com"
PASSWORD = "SecurePass123!"


def mail_body(smtp, to: str, subject: str, count: int = 1) -> str:
    """The text of the `count`-th email `subject` that reached `to` (waits for the worker to deliver it)."""

    def arrived():
        found = [m for m in smtp.messages_to(to) if m["Subject"] == subject]
        return found if len(found) >= count else None

    return text_part(wait_until(arrived, message=f"{subject!r} to {to}")[count - 1])


class SignedInClient(APIClient):
    tokens: dict[str, str]


def signed_in(email: str = OWNER, password: str = PASSWORD) -> SignedInClient:
    client = SignedInClient()
    response = login(client, email, password)
    assert response.status_code == 200, response.content
    client.tokens = response.json()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {client.tokens['access']}")
    return client


@pytest.fixture
def owner(celery_worker, smtp_server):
    UserFactory(email=OWNER, password=PASSWORD, first_name="Olive")
    return signed_in()


def intruder_asks(smtp) -> tuple[APIClient, str]:
    """The intruder signs in with the password and asks to move the account to EVIL; returns EVIL's email."""
    intruder = signed_in()
    assert ask_email_change(intruder, EVIL, PASSWORD).status_code == 200
    return intruder, mail_body(smtp, EVIL, CHANGE_SUBJECT)


def intruders_session_id(owner: APIClient) -> str:
    return next(s["id"] for s in owner.get(SESSIONS).json() if not s["current"])


def by_password_change(owner, smtp):
    assert change_password(owner, PASSWORD).status_code == 200
    return NEW_PASSWORD


def by_password_reset(owner, smtp):
    assert ask_reset(APIClient(), OWNER).status_code == 200
    token = token_in(mail_body(smtp, OWNER, RESET_SUBJECT), "reset-password")
    assert reset_with_token(APIClient(), token).status_code == 200
    return NEW_PASSWORD


def by_revoking_the_others(owner, smtp):
    assert owner.post(REVOKE_OTHERS).status_code == 200
    return PASSWORD


def by_revoking_the_intruders_session(owner, smtp):
    assert owner.delete(f"{SESSIONS}{intruders_session_id(owner)}/").status_code == 204
    return PASSWORD


def by_turning_mfa_on(owner, smtp):
    enable_mfa(owner)
    return PASSWORD


def by_turning_mfa_off(owner, smtp):
    response = owner.post(DISABLE, {"code": totp_code(owner.mfa_secret, steps_ahead=1)}, format="json")
    assert response.status_code == 200, response.content
    return PASSWORD


def by_deleting_the_account(owner, smtp):
    assert owner.delete(ME, {"password": PASSWORD}, format="json").status_code == 204
    return


CLEAN_UPS = [
    by_password_change,
    by_password_reset,
    by_revoking_the_others,
    by_revoking_the_intruders_session,
    by_turning_mfa_on,
    by_turning_mfa_off,
    by_deleting_the_account,
]


@pytest.mark.parametrize("clean_up", CLEAN_UPS, ids=lambda f: f.__name__)
def test_a_pending_change_is_void_once_the_owner_cleans_up(owner, smtp_server, clock, clean_up):
    intruder = signed_in()  # before MFA is on, so this login needs no second factor
    if clean_up is by_turning_mfa_off:
        owner.mfa_secret, _ = enable_mfa(owner)
    assert ask_email_change(intruder, EVIL, PASSWORD).status_code == 200
    evil_mail = mail_body(smtp_server, EVIL, CHANGE_SUBJECT)

    password = clean_up(owner, smtp_server)

    # at once, with the access token the intruder still holds: refused, whatever the reason given
    leftover = confirm_email_change(intruder, code=code_in(evil_mail))
    assert leftover.status_code in {400, 401, 403}, leftover.content
    # a day later, from the intruder's mailbox: the change is void (an erased account has no change left)
    clock.advance(timedelta(hours=23))
    response = confirm_email_change(APIClient(), token=token_in(evil_mail, "confirm-email-change"))
    refused(response, 400, "invalid_token" if password is None else "email_change_void")
    assert login(APIClient(), EVIL, password or PASSWORD).status_code == 401
    if password:
        assert login(APIClient(), OWNER, password).status_code == 200


def test_the_intruders_mailbox_alone_cannot_apply_the_change_and_the_owner_is_told_at_once(
    owner, smtp_server
):
    intruder, evil_mail = intruder_asks(smtp_server)
    told = mail_body(smtp_server, OWNER, CHANGE_OLD_SUBJECT)
    assert "i***@e***.com" in told
    assert EVIL not in told
    assert "/cancel-email-change?token=" in told

    by_link = confirm_email_change(APIClient(), token=token_in(evil_mail, "confirm-email-change"))
    assert by_link.status_code == 200
    assert (by_link.json()["changed"], by_link.json()["waiting_for"]) == (False, "old_address")
    refused(confirm_email_change(intruder, code=code_in(evil_mail)), 400, "invalid_code")  # the link spent it
    assert login(APIClient(), EVIL, PASSWORD).status_code == 401
    assert owner.get(ME).json()["email"] == OWNER


def test_the_owner_cancels_from_the_old_address_and_every_session_is_signed_out(owner, smtp_server):
    intruder, evil_mail = intruder_asks(smtp_server)
    told = mail_body(smtp_server, OWNER, CHANGE_OLD_SUBJECT)
    cancel_token = token_in(told, "cancel-email-change")

    response = cancel_email_change(APIClient(), cancel_token)
    assert response.status_code == 200, response.content
    assert response.json()["sessions_revoked"] == 2
    assert refresh(APIClient(), intruder.tokens["refresh"]).status_code == 401
    assert refresh(APIClient(), owner.tokens["refresh"]).status_code == 401
    refused(
        confirm_email_change(APIClient(), token=token_in(evil_mail, "confirm-email-change")),
        400,
        "email_change_void",
    )
    refused(cancel_email_change(APIClient(), cancel_token), 400, "invalid_token")
    assert login(APIClient(), OWNER, PASSWORD).status_code == 200


def test_a_cancel_link_voids_the_newer_change_the_intruder_asked_for_too(owner, smtp_server):
    intruder, _ = intruder_asks(smtp_server)
    first_cancel = token_in(mail_body(smtp_server, OWNER, CHANGE_OLD_SUBJECT), "cancel-email-change")
    assert ask_email_change(intruder, EVIL, PASSWORD).status_code == 200
    second = mail_body(smtp_server, EVIL, CHANGE_SUBJECT, count=2)
    assert cancel_email_change(APIClient(), first_cancel).status_code == 200
    refused(
        confirm_email_change(APIClient(), token=token_in(second, "confirm-email-change")),
        400,
        "email_change_void",
    )


def test_a_code_is_accepted_only_from_the_session_that_asked(owner, smtp_server):
    intruder, evil_mail = intruder_asks(smtp_server)
    other_session = signed_in()
    refused(confirm_email_change(other_session, code=code_in(evil_mail)), 403, "email_change_other_session")
    refused(confirm_email_change(owner, code=code_in(evil_mail)), 403, "email_change_other_session")
    assert confirm_email_change(intruder, code=code_in(evil_mail)).json()["waiting_for"] == "old_address"


def test_when_a_change_applies_no_session_stays_signed_in_not_even_the_one_that_asked(
    owner, smtp_server, settings
):
    settings.EMAIL_CHANGE_CONFIRM_OLD_ADDRESS = False  # the operator trusts the new address alone
    intruder, evil_mail = intruder_asks(smtp_server)
    response = confirm_email_change(intruder, code=code_in(evil_mail))
    assert response.status_code == 200
    assert response.json()["changed"] is True
    assert refresh(APIClient(), owner.tokens["refresh"]).status_code == 401
    assert refresh(APIClient(), intruder.tokens["refresh"]).status_code == 401


def test_both_addresses_confirming_applies_the_change(owner, smtp_server):
    assert ask_email_change(owner, "olive@new.example.com", PASSWORD).status_code == 200
    new_mail = mail_body(smtp_server, "olive@new.example.com", CHANGE_SUBJECT)
    old_mail = mail_body(smtp_server, OWNER, CHANGE_OLD_SUBJECT)
    assert confirm_email_change(owner, code=code_in(old_mail), address="old").json()["changed"] is False
    done = confirm_email_change(APIClient(), token=token_in(new_mail, "confirm-email-change"))
    assert done.status_code == 200
    assert done.json() == {
        **done.json(),
        "changed": True,
        "email": "olive@new.example.com",
    }
    assert login(APIClient(), "olive@new.example.com", PASSWORD).status_code == 200
