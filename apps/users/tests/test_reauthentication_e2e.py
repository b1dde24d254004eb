"""Reauthentication by emailed code via a real broker, worker and SMTP server; the code is stored nowhere."""

import pytest

from apps.emails.models import EmailOutbox, EmailStatus
from apps.users.tests.account_support import login
from apps.users.tests.factories import UserFactory
from apps.users.tests.mfa_helpers import ENROL
from apps.users.tests.reauth_support import (
    CODE_SUBJECT,
    REAUTH_CODE,
    REAUTH_CODE_REQUEST,
    let_window_pass,
    reauth_code_from,
    reauth_required,
)
from apps.users.tests.secret_scan import database_hits, redis_hits
from apps.users.tests.test_otp_delivery import redis_databases
from conftest import CommitAwareAPIClient
from tests.support import html_part, text_part, wait_until

pytestmark = pytest.mark.requires_services
PASSWORD = "SecurePass123!"


def test_the_emailed_code_reauthenticates_this_session_and_is_kept_only_as_a_hash(
    celery_worker, smtp_server, clock
):
    user = UserFactory(email="e2e-reauth@example.com", first_name="Rae", password=PASSWORD)
    client = CommitAwareAPIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {login(client, user.email, PASSWORD).json()['access']}")
    let_window_pass(clock)
    reauth_required(client.post(ENROL))

    assert client.post(REAUTH_CODE_REQUEST).status_code == 200
    [message] = smtp_server.wait_for(1)
    assert (message["To"], message["Subject"]) == (user.email, CODE_SUBJECT)
    code = reauth_code_from(text_part(message))
    assert code in html_part(message)
    assert "Hi Rae" in text_part(message)
    wait_until(
        lambda: EmailOutbox.objects.filter(to=user.email, status=EmailStatus.SENT).exists(),
        message="outbox row marked sent",
    )
    assert database_hits(code) == []
    for url in redis_databases():
        assert redis_hits(url, code) == [], url

    assert client.post(REAUTH_CODE, {"code": code}, format="json").status_code == 200
    assert client.post(ENROL).status_code == 201
