"""Operators find failed emails in the admin, with the reason, and never see a secret there."""

import pytest

from apps.emails.models import EmailOutbox, EmailStatus
from apps.emails.services import email_send

pytestmark = pytest.mark.django_db

URL = "/admin/emails/emailoutbox/"


@pytest.fixture
def rows(smtp_server, django_capture_on_commit_callbacks):
    smtp_server.refuse.add("gone@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        sent = email_send(to="ok@example.com", template="test")
        failed = email_send(to="gone@example.com", template="login_otp", secret_context={"otp_code": "2468"})
    pending = email_send(to="later@example.com", template="login_otp", secret_context={"otp_code": "975310"})
    return sent, EmailOutbox.objects.get(id=failed.id), pending


def test_failed_emails_are_listed_under_the_failed_filter(admin_client, rows):
    _sent, failed, _ = rows
    assert failed.status == EmailStatus.FAILED
    page = admin_client.get(URL, {"status__exact": "failed"}).content.decode()
    assert "gone@example.com" in page
    assert "ok@example.com" not in page
    assert "550" in page  # the reason, in the list


def test_the_detail_page_shows_the_error_but_no_secret(admin_client, rows):
    _, failed, pending = rows
    assert "No such user" in admin_client.get(f"{URL}{failed.id}/change/").content.decode()
    page = admin_client.get(f"{URL}{pending.id}/change/").content.decode()
    assert "975310" not in page
    assert pending.secret_context not in page  # not even encrypted


def test_failed_emails_are_searchable_by_error(admin_client, rows):
    page = admin_client.get(URL, {"q": "No such user"}).content.decode()
    assert "gone@example.com" in page
    assert "ok@example.com" not in page
