"""Per-account budgets, kept in the database, for the email-change codes and the current password a signed-in
session gives: an attacker holding a session cannot out-guess them by spreading tries over addresses."""

from datetime import timedelta

import pytest
from rest_framework.test import APIClient

from apps.audit.models import AuditAction, AuditLog
from apps.users.tests.account_support import (
    CHANGE_OLD_SUBJECT,
    CHANGE_SUBJECT,
    NEW_PASSWORD,
    ask_email_change,
    change_password,
    code_in,
    confirm_email_change,
    login,
    wrong,
)
from apps.users.tests.factories import UserFactory
from apps.users.tests.test_email_change_attacks import mail_body, signed_in

PASSWORD = "SecurePass123!"
ATTACKER = "attacker@evil.example.com"


def from_address(i: int) -> dict:
    return {"REMOTE_ADDR": f"203.0.113.{i}"}


@pytest.mark.requires_services
def test_email_change_codes_share_a_daily_budget_per_account_whatever_the_client_address(
    celery_worker, smtp_server, clock
):
    """With a session and the password, the attacker asks for changes and guesses codes from many IPs."""
    UserFactory(email="victim@home.example.com", password=PASSWORD)
    attacker = signed_in("victim@home.example.com")
    guesses = 0
    for round_ in (1, 2):
        assert ask_email_change(attacker, ATTACKER, PASSWORD).status_code == 200
        code = code_in(mail_body(smtp_server, ATTACKER, CHANGE_SUBJECT, count=round_))
        for _ in range(5):  # every try of this code, each from another address
            guesses += 1
            response = attacker.post(
                "/api/v1/auth/email/change/confirm/",
                {"code": wrong(code)},
                format="json",
                **from_address(guesses),
            )
            assert response.status_code == 400, response.content
    # ten wrong codes spent the account's budget: even the right codes are refused until the window ends
    assert ask_email_change(attacker, ATTACKER, PASSWORD).status_code == 200
    new_code = code_in(mail_body(smtp_server, ATTACKER, CHANGE_SUBJECT, count=3))
    old_code = code_in(mail_body(smtp_server, "victim@home.example.com", CHANGE_OLD_SUBJECT, count=3))
    paused = confirm_email_change(attacker, code=new_code)
    assert paused.status_code == 429
    assert int(paused["Retry-After"]) > 23 * 3600
    assert confirm_email_change(attacker, code=old_code, address="old").status_code == 429
    assert login(APIClient(), ATTACKER, PASSWORD).status_code == 401

    clock.advance(timedelta(hours=24, seconds=1))
    assert ask_email_change(attacker, ATTACKER, PASSWORD).status_code == 200
    code = code_in(mail_body(smtp_server, ATTACKER, CHANGE_SUBJECT, count=4))
    assert confirm_email_change(attacker, code=code).json()["waiting_for"] == "old_address"


@pytest.mark.django_db
def test_wrong_current_passwords_on_password_change_have_a_daily_budget_per_account_and_are_audited(
    auth_client, user, password, clock, settings
):
    """A stolen access token guesses the current password from ten IPs; then even the right one waits."""
    for i in range(10):
        response = auth_client.post(
            "/api/v1/auth/password/change/",
            {
                "current_password": f"Guess{i}Pass!",
                "new_password": NEW_PASSWORD,
                "new_password_confirm": NEW_PASSWORD,
            },
            format="json",
            **from_address(i),
        )
        assert response.status_code == 400, response.content
        assert response.json()["code"] == "wrong_password"
    paused = change_password(auth_client, password)
    assert paused.status_code == 429
    assert int(paused["Retry-After"]) > 23 * 3600
    assert ask_email_change(auth_client, ATTACKER, password).status_code == 429  # the same budget
    failed = AuditLog.objects.filter(action_type=AuditAction.PASSWORD_CHANGE_FAILED, actor=user)
    assert failed.filter(metadata__reason="wrong_password").count() == 10
    assert failed.filter(metadata__reason="paused").count() == 1

    clock.advance(timedelta(hours=24, seconds=1))
    assert change_password(auth_client, password).status_code == 200


@pytest.mark.django_db
def test_wrong_current_passwords_on_email_change_count_against_the_same_budget(
    auth_client, user, password, settings
):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "email_change_user": "100/h"}
    for i in range(10):
        response = auth_client.post(
            "/api/v1/auth/email/change/",
            {"new_email": ATTACKER, "current_password": f"Guess{i}Pass!"},
            format="json",
            **from_address(i),
        )
        assert response.status_code == 400, response.content
    assert change_password(auth_client, password).status_code == 429


@pytest.mark.django_db
def test_wrong_passwords_given_to_reauthenticate_count_against_the_same_budget(
    auth_client, user, password, settings
):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "reauthenticate_user": "100/10m"}  # the database decides
    for i in range(10):
        response = auth_client.post(
            "/api/v1/auth/reauthenticate/password/",
            {"password": f"Guess{i}Pass!"},
            format="json",
            **from_address(i),
        )
        assert response.status_code == 400, response.content
        assert response.json()["code"] == "wrong_password"
    assert AuditLog.objects.filter(action_type=AuditAction.REAUTHENTICATION_FAILED, actor=user).count() == 11
    refused = auth_client.post("/api/v1/auth/reauthenticate/password/", {"password": password}, format="json")
    assert refused.status_code == 429
    assert change_password(auth_client, password).status_code == 429


@pytest.mark.django_db
def test_wrong_passwords_given_to_account_deletion_count_against_the_same_budget(
    auth_client, user, password, settings
):
    """A stolen access token cannot use DELETE /auth/me/ {password} as an uncounted password oracle."""
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "account_delete_user": "100/h"}  # the database decides
    for i in range(10):
        response = auth_client.delete(
            "/api/v1/auth/me/", {"password": f"Guess{i}Pass!"}, format="json", **from_address(i)
        )
        assert response.status_code == 400, response.content
        assert response.json()["code"] == "wrong_password"
    refused = auth_client.delete("/api/v1/auth/me/", {"password": password}, format="json")
    assert refused.status_code == 429
    assert change_password(auth_client, password).status_code == 429
    user.refresh_from_db()
    assert user.is_active
    failed = AuditLog.objects.filter(action_type=AuditAction.ACCOUNT_DELETE_REFUSED, actor=user)
    assert failed.filter(metadata__reason="wrong_password").count() == 10
