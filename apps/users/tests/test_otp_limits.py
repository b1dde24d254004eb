"""Limits on OTP login: per client, per email address, per code and per account."""

from datetime import timedelta

import pytest
from django.core.cache import cache

from apps.audit.models import AuditAction, AuditLog
from apps.users.tests.otp_helpers import fresh_code, last_code, request_code, verify_code, wrong

pytestmark = pytest.mark.django_db
DAY = 24 * 3600


def limits(settings, **rates):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, **rates}


@pytest.fixture
def per_account_only(settings):
    """Client and email limits out of the way, a small account budget, so its rules can be tested quickly."""
    limits(
        settings,
        otp_request_ip="1000/10m",
        otp_request_email="1000/10m",
        otp_verify_ip="1000/10m",
        otp_verify_email="1000/10m",
    )
    settings.OTP_FAILURE_BUDGET = 7


def test_fourth_request_from_one_ip_in_ten_minutes_is_429_with_retry_after(api_client):
    statuses = [request_code(api_client, f"u{i}@example.com").status_code for i in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = request_code(api_client, "u9@example.com")
    assert 0 < int(response["Retry-After"]) <= 600


def test_sixth_verification_from_one_ip_in_ten_minutes_is_429(api_client):
    statuses = [verify_code(api_client, f"u{i}@example.com", "123456").status_code for i in range(6)]
    assert statuses == [400] * 5 + [429]


def test_request_limit_per_email_holds_while_the_client_rotates_addresses(api_client, user, settings):
    settings.NUM_TRUSTED_PROXIES = 1

    def via_proxy(i):
        return request_code(
            api_client, user.email, REMOTE_ADDR=f"10.0.0.{i}", HTTP_X_FORWARDED_FOR=f"198.51.100.{i}"
        ).status_code

    assert [via_proxy(i) for i in range(4)] == [200, 200, 200, 429]


def test_verify_limit_per_email_holds_while_the_client_rotates_addresses(api_client, user, settings):
    settings.NUM_TRUSTED_PROXIES = 1

    def via_proxy(i):
        return verify_code(
            api_client,
            user.email,
            "123456",
            REMOTE_ADDR=f"10.0.1.{i}",
            HTTP_X_FORWARDED_FOR=f"6.6.6.6, 198.51.100.{i}",
        ).status_code

    assert [via_proxy(i) for i in range(6)] == [400] * 5 + [429]


def test_email_limit_does_not_hold_back_other_addresses(api_client, user, settings):
    settings.NUM_TRUSTED_PROXIES = 1
    for i in range(3):
        request_code(api_client, user.email, HTTP_X_FORWARDED_FOR=f"198.51.100.{i}")
    other = request_code(api_client, "other@example.com", HTTP_X_FORWARDED_FOR="198.51.100.50")
    assert other.status_code == 200


def spend(client, mailoutbox, email, wrong_tries):
    """Make `wrong_tries` wrong guesses, asking for a fresh code whenever one dies."""
    done = 0
    while done < wrong_tries:
        code = fresh_code(client, mailoutbox, email)
        for _ in range(min(5, wrong_tries - done)):
            assert verify_code(client, email, wrong(code)).status_code == 400
            done += 1
    return code


def test_spent_account_budget_pauses_otp_login_with_retry_after(
    api_client, user, mailoutbox, per_account_only
):
    spend(api_client, mailoutbox, user.email, 7)
    response = verify_code(api_client, user.email, "000000")
    assert response.status_code == 429
    assert DAY - 60 <= int(response["Retry-After"]) <= DAY


def test_paused_account_refuses_even_the_right_code_until_the_window_passes(
    api_client, user, mailoutbox, per_account_only, clock
):
    spend(api_client, mailoutbox, user.email, 6)
    code = fresh_code(api_client, mailoutbox, user.email)
    assert verify_code(api_client, user.email, wrong(code)).status_code == 400  # the 7th: budget spent
    assert verify_code(api_client, user.email, code).status_code == 429
    clock.advance(timedelta(hours=24))
    code = fresh_code(api_client, mailoutbox, user.email)
    assert verify_code(api_client, user.email, code).status_code == 200


def test_requests_during_a_pause_answer_the_same_and_send_no_code(
    api_client, user, mailoutbox, per_account_only
):
    spend(api_client, mailoutbox, user.email, 7)
    sent = len(mailoutbox)
    response = request_code(api_client, user.email)
    unknown = request_code(api_client, "nobody@example.com")
    assert response.status_code == 200
    assert response.content == unknown.content
    assert len(mailoutbox) == sent


def test_owner_is_told_once_when_otp_login_pauses(api_client, user, mailoutbox, per_account_only):
    spend(api_client, mailoutbox, user.email, 7)
    for _ in range(3):
        verify_code(api_client, user.email, "000000")
    notices = [m for m in mailoutbox if "paused" in m.subject]
    assert len(notices) == 1
    assert notices[0].to == [user.email]
    assert "paused until" in notices[0].body
    assert AuditLog.objects.filter(action_type=AuditAction.OTP_PAUSED, actor=user).count() == 1


def test_password_login_still_works_while_otp_login_is_paused(
    api_client, user, password, mailoutbox, per_account_only
):
    spend(api_client, mailoutbox, user.email, 7)
    credentials = {"email": user.email, "password": password}
    response = api_client.post("/api/v1/auth/login/", credentials, format="json")
    assert response.status_code == 200
    assert "access" in response.json()


def test_account_budget_is_kept_in_the_database_not_the_cache(api_client, user, mailoutbox, per_account_only):
    spend(api_client, mailoutbox, user.email, 7)
    cache.clear()
    assert verify_code(api_client, user.email, "000000").status_code == 429


def test_budget_counts_wrong_tries_across_codes_and_client_addresses(
    api_client, user, mailoutbox, per_account_only, settings
):
    settings.NUM_TRUSTED_PROXIES = 1
    done = 0
    while done < 7:
        code = fresh_code(api_client, mailoutbox, user.email)
        for _ in range(3):
            if done < 7:
                verify_code(api_client, user.email, wrong(code), HTTP_X_FORWARDED_FOR=f"198.51.100.{done}")
                done += 1
    assert verify_code(api_client, user.email, last_code(mailoutbox, user.email)).status_code == 429


def test_wrong_tries_in_an_old_window_do_not_count(api_client, user, mailoutbox, per_account_only, clock):
    spend(api_client, mailoutbox, user.email, 6)
    clock.advance(timedelta(hours=24, seconds=1))
    spend(api_client, mailoutbox, user.email, 6)
    code = fresh_code(api_client, mailoutbox, user.email)
    assert verify_code(api_client, user.email, code).status_code == 200


def test_guesses_without_a_live_code_do_not_spend_the_budget(api_client, user, mailoutbox, per_account_only):
    for _ in range(10):
        assert verify_code(api_client, user.email, "000000").status_code == 400
    code = fresh_code(api_client, mailoutbox, user.email)
    assert verify_code(api_client, user.email, code).status_code == 200
