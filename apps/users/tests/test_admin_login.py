"""The admin's sign-in: at DJANGO_ADMIN_URL, TOTP for staff with MFA, MFA mandatory by setting, rate limited
per IP and per account, audited."""

import pytest
from django.test import Client

from apps.audit.models import AuditAction, AuditLog
from apps.users.tests.factories import UserFactory
from apps.users.tests.mfa_helpers import enable_mfa, totp_code, wrong

pytestmark = pytest.mark.django_db
LOGIN = "/admin/login/"


@pytest.fixture
def staff(password):
    return UserFactory(password=password, is_staff=True, is_superuser=True)


@pytest.fixture
def staff_with_mfa(staff, client_for):
    secret, _ = enable_mfa(client_for(staff))
    return staff, secret


def sign_in(client, email, password, code="", **extra):
    return client.post(
        LOGIN, {"username": email, "password": password, "otp_code": code, "next": "/admin/"}, **extra
    )


def signed_in(client) -> bool:
    return client.get("/admin/").status_code == 200


def admin_audit(action):
    return list(
        AuditLog.objects.filter(action_type=action, metadata__channel="admin").values_list(
            "description", flat=True
        )
    )


def test_the_login_page_asks_for_the_authenticator_code(client):
    page = client.get(LOGIN).content.decode()
    assert 'name="otp_code"' in page
    assert "Authenticator code" in page


def test_staff_without_mfa_sign_in_with_their_password_and_it_is_audited(client, staff, password):
    assert sign_in(client, staff.email, password).status_code == 302
    assert signed_in(client)
    assert admin_audit(AuditAction.LOGIN) == ["Admin sign-in"]


def test_staff_with_mfa_need_a_current_code(staff_with_mfa, password, clock):
    from datetime import timedelta

    staff, secret = staff_with_mfa
    clock.advance(timedelta(seconds=60))  # past the step the enrolment's confirming code used
    no_code = Client()
    assert sign_in(no_code, staff.email, password).status_code == 200
    assert not signed_in(no_code)
    wrong_code = Client()
    page = sign_in(wrong_code, staff.email, password, code=wrong(totp_code(secret))).content.decode()
    assert "Invalid authenticator code" in page
    assert not signed_in(wrong_code)

    right = Client()
    code = totp_code(secret)
    assert sign_in(right, staff.email, password, code=code).status_code == 302
    assert signed_in(right)
    replay = Client()  # a code is spent once, here as in the API
    assert sign_in(replay, staff.email, password, code=code).status_code == 200
    assert not signed_in(replay)
    assert admin_audit(AuditAction.LOGIN_FAILED) == [
        "Admin sign-in refused: no authenticator code",
    ]
    assert AuditLog.objects.filter(action_type=AuditAction.MFA_FAILED, actor=staff).count() == 2


def test_mfa_can_be_made_mandatory_for_staff(client, staff, password, settings):
    settings.ADMIN_MFA_REQUIRED = True
    page = sign_in(client, staff.email, password).content.decode()
    assert "Two-factor authentication is required" in page
    assert not signed_in(client)
    assert admin_audit(AuditAction.LOGIN_FAILED) == ["Admin sign-in refused: staff without MFA"]


def test_a_wrong_password_and_a_non_staff_user_are_refused_and_audited(client, user, staff, password):
    assert sign_in(client, staff.email, "wrong-" + password).status_code == 200
    assert sign_in(client, user.email, password).status_code == 200
    assert not signed_in(client)
    assert (
        admin_audit(AuditAction.LOGIN_FAILED) == ["Admin sign-in refused: wrong credentials or not staff"] * 2
    )


def test_admin_sign_in_is_rate_limited_per_account_across_addresses(staff, password, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "admin_login_account": "3/10m", "admin_login_ip": "100/m"}
    for i in range(3):
        sign_in(Client(REMOTE_ADDR=f"198.51.100.{i}"), staff.email, "guess")
    blocked = Client(REMOTE_ADDR="198.51.100.99")
    page = sign_in(blocked, staff.email, password).content.decode()
    assert "Too many sign-in attempts" in page
    assert not signed_in(blocked)
    assert "Admin sign-in refused: rate limited" in admin_audit(AuditAction.LOGIN_FAILED)


def test_admin_sign_in_is_rate_limited_per_ip_across_accounts(staff, password, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "admin_login_ip": "3/10m"}
    attacker = Client(REMOTE_ADDR="203.0.113.5")
    for i in range(3):
        sign_in(attacker, f"someone{i}@example.com", "guess")
    assert "Too many sign-in attempts" in sign_in(attacker, staff.email, password).content.decode()
    assert not signed_in(attacker)
    other = Client(REMOTE_ADDR="203.0.113.6")
    assert sign_in(other, staff.email, password).status_code == 302


def test_the_admin_moves_with_django_admin_url(tmp_path):
    from tests.production import production_env, run_production

    probe = [
        "manage.py", "shell", "-c",
        "from django.urls import reverse; print(reverse('admin:index'))",
    ]  # fmt: skip
    moved = run_production(probe, production_env(tmp_path, DJANGO_ADMIN_URL="staff-only-7f3a/"))
    assert moved.returncode == 0, moved.stderr
    assert moved.stdout.strip().endswith("/staff-only-7f3a/")
