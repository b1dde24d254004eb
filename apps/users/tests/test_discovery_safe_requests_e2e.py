"""Discovery-safe requests end to end: the real worker decides, the real SMTP server shows who got what.

The web request only queues a request row (test_discovery_safe_requests.py); here the worker looks the address
up, and the account still gets its code while every other address gets nothing, within the same limits.
"""

import pytest
from rest_framework.test import APIClient

from apps.emails.models import EmailOutbox, EmailStatus
from apps.users.models import EmailOTP
from apps.users.tests.account_support import RESET, RESET_SUBJECT, code_in, reset_with_code
from apps.users.tests.factories import UserFactory
from apps.users.tests.otp_helpers import code_from_text, request_code, verify_code, wrong
from apps.users.tests.registration_support import RESEND, VERIFY, verification_code
from tests.support import text_part, wait_until

pytestmark = pytest.mark.requires_services

LOGIN_SUBJECT = "Your KinWise login code"
VERIFY_SUBJECT = "Verify your KinWise account"
VERIFIED, UNVERIFIED, UNKNOWN = "ann@example.com", "bob@example.com", "nobody@example.org"


@pytest.fixture
def accounts(celery_worker, smtp_server):
    UserFactory(email=VERIFIED, password="SecurePass123!")
    UserFactory(email=UNVERIFIED, email_verified=False, is_active=False)
    return smtp_server


def settled() -> None:
    """Until the worker has handled every request row: then the SMTP server holds all it will get."""
    busy = EmailOutbox.objects.filter(status__in=[EmailStatus.PENDING, EmailStatus.SENDING])
    wait_until(lambda: not busy.exists(), message="every outbox row handled")


def ask(path: str, email: str, n: int):
    """From its own client address, so the per-IP limits stay out of the way."""
    return APIClient().post(path, {"email": email}, format="json", REMOTE_ADDR=f"203.0.113.{n}")


def received(sink) -> list[tuple[str, str]]:
    return sorted((m["To"], m["Subject"]) for m in sink.messages)


def test_the_login_code_reaches_the_account_and_no_other_address_gets_anything(accounts):
    for n, email in enumerate([UNKNOWN, VERIFIED, UNVERIFIED]):
        assert ask("/api/v1/auth/otp/request/", email, n).status_code == 200
    settled()

    assert received(accounts) == [(VERIFIED, LOGIN_SUBJECT)]
    code = code_from_text(text_part(accounts.messages_to(VERIFIED)[0]))
    assert verify_code(APIClient(), VERIFIED, code).status_code == 200
    statuses = sorted(EmailOutbox.objects.values_list("status", flat=True))
    assert statuses == [EmailStatus.DROPPED, EmailStatus.DROPPED, EmailStatus.SENT]
    assert EmailOTP.objects.count() == 1


def test_a_reset_reaches_both_accounts_and_not_the_unknown_address(accounts):
    for n, email in enumerate([UNKNOWN, VERIFIED, UNVERIFIED]):
        assert ask(RESET, email, n).status_code == 200
    settled()

    assert received(accounts) == [(VERIFIED, RESET_SUBJECT), (UNVERIFIED, RESET_SUBJECT)]
    code = code_in(text_part(accounts.messages_to(VERIFIED)[0]))
    assert reset_with_code(APIClient(), VERIFIED, code).status_code == 200


def test_a_resend_reaches_only_the_unverified_account(accounts):
    for n, email in enumerate([UNKNOWN, VERIFIED, UNVERIFIED]):
        assert ask(RESEND, email, n).status_code == 200
    settled()

    assert received(accounts) == [(UNVERIFIED, VERIFY_SUBJECT)]
    code = verification_code(text_part(accounts.messages_to(UNVERIFIED)[0]))
    response = APIClient().post(VERIFY, {"email": UNVERIFIED, "code": code}, format="json")
    assert response.status_code == 200, response.content


@pytest.mark.parametrize(
    ("path", "subject"), [("/api/v1/auth/otp/request/", LOGIN_SUBJECT), (RESET, RESET_SUBJECT)]
)
def test_the_per_address_limit_holds_across_client_addresses(accounts, path, subject):
    answers = [ask(path, VERIFIED, n).status_code for n in range(4)]
    assert answers == [
        200,
        200,
        200,
        429,
    ]  # 3 per address (otp_request_email 3/10m, password_reset_email 3/h)
    settled()
    assert received(accounts) == [(VERIFIED, subject)] * 3


def test_the_database_kept_daily_reset_limit_holds_without_the_cache_limits(accounts, settings):
    settings.RATE_LIMITS = {
        **settings.RATE_LIMITS,
        "password_reset_email": "100/h",
        "password_reset_ip": "100/h",
    }
    for n in range(7):
        assert ask(RESET, VERIFIED, n).status_code == 200
    settled()
    assert received(accounts) == [(VERIFIED, RESET_SUBJECT)] * 5  # PASSWORD_RESET_DAILY_LIMIT


def test_a_paused_account_gets_no_code_and_the_same_answer(accounts, settings):
    settings.OTP_FAILURE_BUDGET = 2
    client = APIClient()
    first = request_code(client, VERIFIED)
    [message] = accounts.wait_for(1)
    code = code_from_text(text_part(message))
    for _ in range(2):
        assert verify_code(client, VERIFIED, wrong(code)).status_code == 400
    settled()
    assert [m["Subject"] for m in accounts.messages] == [
        LOGIN_SUBJECT,
        "Email-code sign-in to KinWise is paused",
    ]

    again = request_code(APIClient(), VERIFIED, REMOTE_ADDR="203.0.113.99")
    assert (again.status_code, again.content) == (200, first.content)
    settled()
    assert len(accounts.messages) == 2  # no new code
    assert EmailOTP.objects.count() == 1


def test_a_retried_delivery_sends_the_same_code_and_makes_no_second_one(accounts, settings):
    settings.EMAIL_OUTBOX_RETRY_BASE_SECONDS, settings.EMAIL_OUTBOX_RETRY_MAX_SECONDS = 0.2, 0.5
    accounts.fail_next = 1  # the first attempt is refused with a 451
    assert ask("/api/v1/auth/otp/request/", VERIFIED, 0).status_code == 200
    [message] = accounts.wait_for(1)
    settled()
    assert EmailOutbox.objects.get().attempts == 2
    assert EmailOTP.objects.count() == 1
    assert verify_code(APIClient(), VERIFIED, code_from_text(text_part(message))).status_code == 200
