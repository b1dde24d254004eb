"""Every emailed link is FRONTEND_URL plus the configured page path (FRONTEND_*_PATH)."""

import pytest

from apps.households.tests.factories import household_with
from apps.users.tests.account_support import ask_email_change, ask_reset
from apps.users.tests.factories import UserFactory
from apps.users.tests.registration_support import register

pytestmark = pytest.mark.django_db
APP = "https://app.kinwise.test"


@pytest.fixture
def custom_pages(settings):
    settings.FRONTEND_URL = APP
    settings.FRONTEND_PATHS = {
        "verify_email": "/a/verify",
        "reset_password": "/a/reset",
        "confirm_email_change": "/a/email",
        "cancel_email_change": "/a/cancel",
        "accept_invite": "/a/join",
        "login": "/a/sign-in",
    }


def _body(mailoutbox, to: str) -> str:
    [message] = [m for m in mailoutbox if to in m.to]
    return message.body


def test_verification_link_uses_the_configured_path(api_client, mailoutbox, custom_pages):
    register(api_client, "ann@example.com")
    assert f"{APP}/a/verify?token=" in _body(mailoutbox, "ann@example.com")


def test_reset_link_uses_the_configured_path(api_client, user, mailoutbox, custom_pages):
    ask_reset(api_client, user.email)
    assert f"{APP}/a/reset?token=" in _body(mailoutbox, user.email)


def test_email_change_links_use_the_configured_paths(auth_client, user, password, mailoutbox, custom_pages):
    ask_email_change(auth_client, "new-address@example.com", password)
    assert f"{APP}/a/email?token=" in _body(mailoutbox, "new-address@example.com")
    told = _body(mailoutbox, user.email)
    assert f"{APP}/a/email?token=" in told
    assert f"{APP}/a/cancel?token=" in told


def test_invitation_link_uses_the_configured_path(client_for, mailoutbox, custom_pages):
    owner = UserFactory()
    home = household_with(owner)
    client_for(owner).post(
        f"/api/v1/households/{home.id}/invites/",
        {"email": "guest@example.com", "role": "member"},
        format="json",
    )
    assert f"{APP}/a/join?token=" in _body(mailoutbox, "guest@example.com")


def test_login_link_uses_the_configured_path(api_client, user, mailoutbox, custom_pages, settings):
    settings.ACCOUNT_PREVENT_ENUMERATION = True
    register(api_client, user.email)
    assert f"{APP}/a/sign-in" in _body(mailoutbox, user.email)
