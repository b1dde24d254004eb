"""The plan's full journey: register → verify the email → request a login code → log in with it.

Every link and code is read from the emails actually sent.
"""

import pytest
from django.urls import reverse

from apps.users.tests.otp_helpers import code_from_text, last_code, request_code, verify_code
from apps.users.tests.registration_support import VERIFY_SUBJECT, link_token, register, sent_to
from tests.support import text_part, wait_until


@pytest.mark.django_db
def test_register_verify_email_then_log_in_with_an_emailed_code(api_client, mailoutbox):
    email = "newuser@example.com"
    assert register(api_client, email).status_code == 201
    [verification] = sent_to(mailoutbox, email, VERIFY_SUBJECT)

    response = api_client.get(reverse("verify-email"), {"token": link_token(verification.body)})
    assert response.status_code == 200
    assert response.json()["user"] == {"email": email, "is_active": True}

    assert request_code(api_client, email).status_code == 200
    response = verify_code(api_client, email, last_code(mailoutbox, email))
    assert response.status_code == 200
    assert "access" in response.json()
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['access']}")
    me = api_client.get("/api/v1/auth/me/").json()
    assert (me["email"], me["email_verified"]) == (email, True)


@pytest.mark.django_db
def test_an_unverified_registration_gets_no_login_code(api_client, mailoutbox):
    email = "pending@example.com"
    register(api_client, email)
    assert request_code(api_client, email).status_code == 200
    assert sent_to(mailoutbox, email, "Your KinWise login code") == []


@pytest.mark.requires_services
def test_full_journey_through_a_real_worker_and_smtp_server(celery_worker, smtp_server, api_client):
    email = "journey@example.com"
    assert register(api_client, email).status_code == 201
    smtp_server.wait_for(1)
    [verification] = [m for m in smtp_server.messages_to(email) if m["Subject"] == VERIFY_SUBJECT]
    response = api_client.get(reverse("verify-email"), {"token": link_token(text_part(verification))})
    assert response.status_code == 200

    assert request_code(api_client, email).status_code == 200

    def login_code_mail():
        return [m for m in smtp_server.messages_to(email) if m["Subject"] == "Your KinWise login code"]

    [otp_mail] = wait_until(login_code_mail, message="the login-code email")
    response = verify_code(api_client, email, code_from_text(text_part(otp_mail)))
    assert response.status_code == 200, response.content
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['access']}")
    assert api_client.get("/api/v1/auth/me/").json()["email"] == email
