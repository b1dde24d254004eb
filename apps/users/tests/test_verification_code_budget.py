"""Wrong verification codes are capped per account in the database, not only per code and in the cache."""

from datetime import timedelta

import pytest

from apps.users.models import User
from apps.users.tests.registration_support import (
    RESEND,
    VERIFY,
    VERIFY_SUBJECT,
    link_token,
    register,
    sent_to,
    verification_code,
)

pytestmark = pytest.mark.django_db
EMAIL = "newuser@example.com"


@pytest.fixture(autouse=True)
def generous_cache_limits(settings):
    # the cache limits fail open when Redis is down; this budget must hold without them
    settings.RATE_LIMITS = {
        **settings.RATE_LIMITS,
        "verify_email_email": "1000/h",
        "verify_email_ip": "1000/h",
        "resend_verification_email": "1000/h",
        "resend_verification_ip": "1000/h",
    }


def latest_email(mailoutbox) -> str:
    return sent_to(mailoutbox, EMAIL, VERIFY_SUBJECT)[-1].body


def spend_code(client, body) -> list[str]:
    """Five wrong guesses at the code in `body`; returns the answers' codes."""
    right = int(verification_code(body))
    guesses = [f"{(right + i) % 1_000_000:06d}" for i in range(1, 6)]
    return [client.post(VERIFY, {"email": EMAIL, "code": g}, format="json").json()["code"] for g in guesses]


def try_code(client, body):
    return client.post(VERIFY, {"email": EMAIL, "code": verification_code(body)}, format="json")


def test_account_takes_at_most_fifteen_wrong_codes_a_day(api_client, mailoutbox):
    register(api_client, EMAIL)
    for _ in range(3):
        spend_code(api_client, latest_email(mailoutbox))
        api_client.post(RESEND, {"email": EMAIL}, format="json")
    fourth = latest_email(mailoutbox)
    assert len(sent_to(mailoutbox, EMAIL, VERIFY_SUBJECT)) == 4
    response = try_code(api_client, fourth)
    assert response.status_code == 400
    assert response.json()["code"] == "too_many_attempts"
    assert not User.objects.get(email=EMAIL).email_verified
    # the link of the same email still verifies
    assert api_client.get(VERIFY, {"token": link_token(fourth)}).status_code == 200


def test_budget_frees_up_once_the_guessed_verifications_expire(api_client, mailoutbox, clock):
    register(api_client, EMAIL)
    for _ in range(3):
        spend_code(api_client, latest_email(mailoutbox))
        api_client.post(RESEND, {"email": EMAIL}, format="json")
    clock.advance(timedelta(hours=24, seconds=1))
    api_client.post(RESEND, {"email": EMAIL}, format="json")
    assert try_code(api_client, latest_email(mailoutbox)).status_code == 200
