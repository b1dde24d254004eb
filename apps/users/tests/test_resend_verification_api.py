"""POST /api/v1/auth/resend-verification/ — one answer for every address; only the newest link works."""

from datetime import timedelta

import pytest

from apps.audit.models import AuditAction, AuditLog
from apps.users.models import User
from apps.users.tests.factories import UserFactory
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


def resend(client, email=EMAIL, **extra):
    return client.post(RESEND, {"email": email}, format="json", **extra)


def verification_emails(mailoutbox, email=EMAIL):
    return [m.body for m in sent_to(mailoutbox, email, VERIFY_SUBJECT)]


@pytest.fixture
def registered(api_client):
    assert register(api_client, EMAIL).status_code == 201


def test_same_answer_for_unknown_unverified_and_verified_addresses(api_client, registered, mailoutbox):
    UserFactory(email="verified@example.com")
    responses = [
        resend(api_client, "nobody@example.com"),
        resend(api_client, EMAIL),
        resend(api_client, "verified@example.com"),
    ]
    assert [r.status_code for r in responses] == [200, 200, 200]
    assert responses[0].json() == responses[1].json() == responses[2].json()
    assert set(responses[0].json()) == {"message"}
    assert len(verification_emails(mailoutbox)) == 2
    assert sent_to(mailoutbox, "nobody@example.com") == []
    assert sent_to(mailoutbox, "verified@example.com") == []


def test_resend_answers_the_same_headers_too(api_client, registered):
    UserFactory(email="verified@example.com")
    a, b = resend(api_client, "nobody@example.com"), resend(api_client, "verified@example.com")
    c = resend(api_client, EMAIL)
    assert a["Content-Type"] == b["Content-Type"] == c["Content-Type"]
    assert a.content == b.content == c.content


def test_new_link_works_and_replaces_the_earlier_one(api_client, registered, mailoutbox):
    resend(api_client)
    first, second = verification_emails(mailoutbox)
    assert link_token(first) != link_token(second)
    refused = api_client.get(VERIFY, {"token": link_token(first)})
    assert refused.status_code == 400
    assert refused.json()["code"] == "replaced"
    assert api_client.get(VERIFY, {"token": link_token(second)}).status_code == 200


def test_earlier_code_stops_working_after_a_resend(api_client, registered, mailoutbox):
    resend(api_client)
    first, second = verification_emails(mailoutbox)
    if verification_code(first) != verification_code(second):  # 1 in 10^6 they coincide
        old = api_client.post(VERIFY, {"email": EMAIL, "code": verification_code(first)}, format="json")
        assert old.status_code == 400
        assert old.json()["code"] == "invalid_code"
    new = api_client.post(VERIFY, {"email": EMAIL, "code": verification_code(second)}, format="json")
    assert new.status_code == 200


def test_an_expired_link_is_replaced_by_a_fresh_one(api_client, registered, mailoutbox, clock):
    clock.advance(timedelta(hours=30))
    [expired] = verification_emails(mailoutbox)
    assert api_client.get(VERIFY, {"token": link_token(expired)}).json()["code"] == "expired"
    resend(api_client)
    fresh = verification_emails(mailoutbox)[-1]
    assert api_client.get(VERIFY, {"token": link_token(fresh)}).status_code == 200
    assert User.objects.get(email=EMAIL).email_verified


def test_a_resend_gives_a_fresh_code_after_the_old_one_locked(api_client, registered, mailoutbox):
    right = int(verification_code(verification_emails(mailoutbox)[0]))
    codes = [f"{(right + i) % 1_000_000:06d}" for i in range(1, 7)]
    answers = [api_client.post(VERIFY, {"email": EMAIL, "code": c}, format="json") for c in codes]
    assert answers[-1].json()["code"] == "too_many_attempts"
    resend(api_client)
    code = verification_code(verification_emails(mailoutbox)[-1])
    assert api_client.post(VERIFY, {"email": EMAIL, "code": code}, format="json").status_code == 200


def test_address_is_normalized(api_client, registered, mailoutbox):
    assert resend(api_client, "  NewUser@EXAMPLE.com ").status_code == 200
    assert len(verification_emails(mailoutbox)) == 2


@pytest.mark.parametrize("body", [{}, {"email": "not-an-email"}, {"email": ""}, {"email": ["a@example.com"]}])
def test_invalid_input_is_a_field_error(api_client, body):
    response = api_client.post(RESEND, body, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"email"}


def test_every_resend_request_is_audited_with_the_client_ip(api_client, registered):
    resend(api_client, EMAIL, REMOTE_ADDR="203.0.113.1")
    resend(api_client, "nobody@example.com", REMOTE_ADDR="203.0.113.2")
    rows = AuditLog.objects.filter(action_type=AuditAction.VERIFICATION_RESENT).order_by("id")
    user = User.objects.get(email=EMAIL)
    assert [(r.actor, r.ip_address, r.metadata["sent"]) for r in rows] == [
        (user, "203.0.113.1", True),
        (None, "203.0.113.2", False),
    ]


def test_per_email_limit_holds_across_client_addresses(api_client, registered, settings, mailoutbox):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "resend_verification_email": "3/h"}
    statuses = [resend(api_client, REMOTE_ADDR=f"198.51.100.{i}").status_code for i in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    assert len(verification_emails(mailoutbox)) == 1 + 3
    assert resend(api_client, "other@example.com", REMOTE_ADDR="198.51.100.9").status_code == 200


def test_per_ip_limit_holds_across_addresses(api_client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "resend_verification_ip": "3/h"}
    statuses = [resend(api_client, f"u{i}@example.com").status_code for i in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert resend(api_client, "u9@example.com", REMOTE_ADDR="198.51.100.7").status_code == 200
