"""Security notices: each event sends its notice once, to the right address, as HTML and text.

Token reuse, the OTP pause and the TOTP pause have their notice-once tests next to their flows
(test_sessions_api.py, test_otp_limits.py, test_mfa_api.py).
"""

from datetime import timedelta

import pytest
from django.template.loader import render_to_string
from rest_framework.test import APIClient

from apps.emails.registry import SUBJECTS
from apps.users.auth.services.security_notices import NOTICE_TEMPLATES
from apps.users.tests.account_support import (
    CHANGE_OLD_SUBJECT,
    CHANGE_SUBJECT,
    CHANGED_NOTICE,
    PASSWORD_CHANGED_NOTICE,
    RESET_NOTICE,
    RESET_SUBJECT,
    ask_email_change,
    ask_reset,
    code_in,
    last_mail,
    reset_with_token,
    token_in,
)
from apps.users.tests.mfa_helpers import DISABLE as MFA_DISABLE
from apps.users.tests.mfa_helpers import answer, enable_mfa, totp_code
from apps.users.tests.mfa_helpers import password_login as mfa_password_login

pytestmark = pytest.mark.django_db
NOTICE_SUBJECTS = {SUBJECTS[template] for template in NOTICE_TEMPLATES.values()}
MFA_ENABLED = "Two-factor authentication is now on"
MFA_DISABLED = "Two-factor authentication was turned off"
RECOVERY_USED = "A KinWise recovery code was used"


def notices(mailoutbox) -> list[tuple[list[str], str]]:
    return [(m.to, m.subject) for m in mailoutbox if m.subject in NOTICE_SUBJECTS]


def test_password_change_sends_one_password_changed_notice(auth_client, user, password, mailoutbox):
    body = {
        "current_password": password,
        "new_password": "BrandNew456!",
        "new_password_confirm": "BrandNew456!",
    }
    assert auth_client.post("/api/v1/auth/password/change/", body, format="json").status_code == 200
    assert notices(mailoutbox) == [([user.email], PASSWORD_CHANGED_NOTICE)]


def test_password_reset_sends_one_password_reset_notice(api_client, user, mailoutbox):
    ask_reset(api_client, user.email)
    token = token_in(last_mail(mailoutbox, user.email, RESET_SUBJECT).body, "reset-password")
    reset_with_token(api_client, token)
    reset_with_token(api_client, token)  # refused: no second notice
    assert notices(mailoutbox) == [([user.email], RESET_NOTICE)]
    notice = last_mail(mailoutbox, user.email, RESET_NOTICE)
    assert "signed out" in notice.body
    assert notice.alternatives[0][1] == "text/html"
    assert token not in notice.body


def test_email_change_sends_one_notice_to_the_old_address_only(auth_client, user, password, mailoutbox):
    old = user.email
    ask_email_change(auth_client, "new.address@example.org", password)
    code = code_in(last_mail(mailoutbox, "new.address@example.org", CHANGE_SUBJECT).body)
    old_code = code_in(last_mail(mailoutbox, old, CHANGE_OLD_SUBJECT).body)
    auth_client.post("/api/v1/auth/email/change/confirm/", {"code": code}, format="json")
    auth_client.post(
        "/api/v1/auth/email/change/confirm/", {"code": old_code, "address": "old"}, format="json"
    )
    auth_client.post(
        "/api/v1/auth/email/change/confirm/", {"code": old_code, "address": "old"}, format="json"
    )
    assert notices(mailoutbox) == [([old], CHANGED_NOTICE)]


@pytest.mark.parametrize("kind", sorted(NOTICE_TEMPLATES))
def test_every_notice_has_a_subject_and_html_and_text_bodies(kind, settings):
    template = NOTICE_TEMPLATES[kind]
    context = {
        "name": "Ann",
        "subject": SUBJECTS[template],
        "frontend_url": settings.FRONTEND_URL,
        "reset_password_page_url": f"{settings.FRONTEND_URL}/reset-password",  # render_email adds it
        "new_email_masked": "a***@e***.com",
        "remaining": 7,
        "until": "2026-01-01 10:00 UTC",
    }
    for extension in ("html", "txt"):
        body = render_to_string(f"emails/{template}.{extension}", context)
        assert "Hi Ann" in body
        assert f"{settings.FRONTEND_URL}/reset-password" in body


@pytest.fixture
def mfa_on(auth_client, clock, mailoutbox):
    secret, recovery = enable_mfa(auth_client)
    clock.advance(timedelta(seconds=30))  # the confirming code's step is spent
    return secret, recovery


def test_turning_mfa_on_sends_one_mfa_enabled_notice(auth_client, user, mfa_on, mailoutbox):
    assert notices(mailoutbox) == [([user.email], MFA_ENABLED)]


def test_turning_mfa_off_sends_one_mfa_disabled_notice(auth_client, user, mfa_on, mailoutbox):
    mailoutbox.clear()
    code = totp_code(mfa_on[0])
    assert auth_client.post(MFA_DISABLE, {"code": code}, format="json").status_code == 200
    auth_client.post(MFA_DISABLE, {"code": code}, format="json")  # refused: already off
    assert notices(mailoutbox) == [([user.email], MFA_DISABLED)]


def test_a_recovery_code_login_sends_one_notice_with_the_codes_left(user, password, mfa_on, mailoutbox):
    mailoutbox.clear()
    for _ in range(2):  # the second use of the same code is refused and tells nobody
        challenge = mfa_password_login(APIClient(), user.email, password).json()["mfa_token"]
        answer(challenge, recovery_code=mfa_on[1][0])
    assert notices(mailoutbox) == [([user.email], RECOVERY_USED)]
    assert "9 unused code(s) remain" in mailoutbox[0].body
