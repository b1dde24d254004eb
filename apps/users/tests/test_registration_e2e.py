"""Register → verify → log in, through a real worker, a real Redis broker and a real SMTP server."""

import logging
import os
from urllib.parse import parse_qs, urlparse

import pytest
from django.conf import settings as django_settings
from rest_framework.test import APIClient

from apps.emails.models import EmailOutbox, EmailStatus
from apps.users.tests.registration_support import (
    PASSWORD,
    REGISTER,
    VERIFY,
    registration,
    verification_code,
)
from apps.users.tests.secret_scan import database_hits, redis_hits
from tests.support import html_part, text_part, wait_until

pytestmark = pytest.mark.requires_services
EMAIL = "e2e@example.com"


def test_register_verify_by_emailed_link_log_in_and_get_welcomed(
    celery_worker, smtp_server, settings, caplog
):
    caplog.set_level(logging.DEBUG)
    settings.FRONTEND_URL = "https://app.kinwise.test"
    client = APIClient()

    response = client.post(REGISTER, registration(EMAIL, first_name="Eve"), format="json")
    assert response.status_code == 201, response.content

    [verify_message] = smtp_server.wait_for(1)
    assert verify_message["To"] == EMAIL
    assert verify_message["Subject"] == "Verify your KinWise account"
    link = next(word for word in text_part(verify_message).split() if "/verify-email?token=" in word)
    assert link.startswith("https://app.kinwise.test/verify-email?token=")
    assert link in html_part(verify_message)
    token = parse_qs(urlparse(link).query)["token"][0]
    code = verification_code(text_part(verify_message))

    login = {"email": EMAIL, "password": PASSWORD}
    assert client.post("/api/v1/auth/login/", login, format="json").status_code == 401

    verified = client.get(VERIFY, {"token": token})
    assert verified.status_code == 200, verified.content
    assert verified.json()["user"] == {"email": EMAIL, "is_active": True}

    logged_in = client.post("/api/v1/auth/login/", login, format="json")
    assert logged_in.status_code == 200, logged_in.content
    assert logged_in.json()["user"]["email"] == EMAIL

    messages = smtp_server.wait_for(2)
    welcome = messages[1]
    assert (welcome["To"], welcome["Subject"]) == (EMAIL, "Welcome to KinWise!")
    assert "Welcome to KinWise, Eve!" in text_part(welcome)
    assert token not in text_part(welcome)
    assert len(smtp_server.messages_to(EMAIL)) == 2

    # neither secret rests anywhere once the emails are sent
    wait_until(
        lambda: not EmailOutbox.objects.exclude(status=EmailStatus.SENT).exists(), message="outbox all sent"
    )
    redis_urls = {django_settings.CELERY_BROKER_URL, os.environ.get("TEST_REDIS_URL", "")}
    redis_urls |= {django_settings.REDIS_URL} if django_settings.REDIS_URL else set()
    for secret in (token, code):
        assert database_hits(secret) == []
        for url in sorted(u for u in redis_urls if u.startswith("redis://")):
            assert redis_hits(url, secret) == [], url
        # mail.log is aiosmtpd, the test's own SMTP server, which logs what it receives
        assert all(secret not in r.getMessage() for r in caplog.records if not r.name.startswith("mail.log"))
