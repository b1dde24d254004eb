"""Forgot password → emailed link → new password → login, via a real worker, broker and SMTP server."""

from urllib.parse import parse_qs, urlparse

import pytest
from rest_framework.test import APIClient

from apps.users.tests.account_support import (
    NEW_PASSWORD,
    RESET_NOTICE,
    RESET_SUBJECT,
    ask_reset,
    login,
    refresh,
    reset_with_token,
)
from apps.users.tests.factories import UserFactory
from tests.support import html_part, text_part, wait_until

pytestmark = pytest.mark.requires_services
PASSWORD = "SecurePass123!"


def test_forgot_password_by_emailed_link_then_old_refresh_token_is_dead_and_the_owner_is_told(
    celery_worker, smtp_server, settings
):
    settings.FRONTEND_URL = "https://app.kinwise.test"
    user = UserFactory(email="e2e-reset@example.com", first_name="Eve", password=PASSWORD)
    client = APIClient()
    old_session = login(client, user.email, PASSWORD).json()

    assert ask_reset(client, user.email).status_code == 200
    [reset_message] = smtp_server.wait_for(1)
    assert (reset_message["To"], reset_message["Subject"]) == (user.email, RESET_SUBJECT)
    link = next(word for word in text_part(reset_message).split() if "/reset-password?token=" in word)
    assert link.startswith("https://app.kinwise.test/reset-password?token=")
    assert link in html_part(reset_message)
    token = parse_qs(urlparse(link).query)["token"][0]

    assert reset_with_token(client, token).status_code == 200

    assert login(client, user.email, PASSWORD).status_code == 401
    new_login = login(client, user.email, NEW_PASSWORD)
    assert new_login.status_code == 200, new_login.content
    assert refresh(client, old_session["refresh"]).status_code == 401
    assert refresh(client, new_login.json()["refresh"]).status_code == 200

    wait_until(lambda: len(smtp_server.messages_to(user.email)) >= 2, message="the reset notice")
    notice = smtp_server.messages_to(user.email)[1]
    assert notice["Subject"] == RESET_NOTICE
    assert "Hi Eve" in text_part(notice)
    assert "signed out" in text_part(notice)
    assert token not in text_part(notice)
    assert token not in html_part(notice)
    assert len(smtp_server.messages_to(user.email)) == 2
