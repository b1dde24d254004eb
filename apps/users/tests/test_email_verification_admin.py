"""The verification admin: list, status badge, search by email, filters; never the token or code."""

import pytest

from apps.users.models import EmailVerification
from apps.users.tests.factories import UserFactory
from apps.users.tests.registration_support import (
    VERIFY,
    VERIFY_SUBJECT,
    link_token,
    register,
    sent_to,
    verification_code,
)

pytestmark = pytest.mark.django_db
LIST = "/admin/users/emailverification/"


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(email="admin@example.com", is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def emails(api_client, mailoutbox):
    register(api_client, "pending@example.com")
    register(api_client, "done@example.com")
    [pending] = sent_to(mailoutbox, "pending@example.com", VERIFY_SUBJECT)
    [done] = sent_to(mailoutbox, "done@example.com", VERIFY_SUBJECT)
    assert api_client.get(VERIFY, {"token": link_token(done.body)}).status_code == 200
    return [pending.body, done.body]


def test_list_shows_users_and_status_badges(admin_client, emails):
    page = admin_client.get(LIST).content.decode()
    assert "pending@example.com" in page
    assert "done@example.com" in page
    assert ">Pending</span>" in page
    assert ">Verified</span>" in page
    assert "/admin/users/user/" in page  # user_email links to the user


def test_no_page_shows_a_token_code_or_digest(admin_client, emails):
    pages = [admin_client.get(LIST).content.decode()]
    rows = EmailVerification.objects.all()
    pages.extend(admin_client.get(f"{LIST}{row.pk}/change/").content.decode() for row in rows)
    text = "".join(pages)
    for body in emails:
        assert link_token(body) not in text
        assert verification_code(body) not in text
    for token_hash, code_hash in EmailVerification.objects.values_list("token_hash", "code_hash"):
        assert token_hash not in text
        assert code_hash not in text
    assert "token_hash" not in text
    assert "code_hash" not in text
    assert "Token hash" not in text


def test_search_by_email(admin_client, emails):
    page = admin_client.get(LIST, {"q": "pending@"}).content.decode()
    assert "pending@example.com" in page
    assert "done@example.com" not in page


def test_filter_by_verified(admin_client, emails):
    page = admin_client.get(LIST, {"verified_at__isnull": "True"}).content.decode()
    assert "pending@example.com" in page
    assert "done@example.com" not in page


def test_verifications_cannot_be_added_or_edited_in_the_admin(admin_client, emails):
    row = EmailVerification.objects.first()
    assert admin_client.get(f"{LIST}add/").status_code == 403
    before = EmailVerification.objects.values().get(pk=row.pk)
    admin_client.post(f"{LIST}{row.pk}/change/", {"attempts": 0, "verified_at": "2030-01-01"})
    assert EmailVerification.objects.values().get(pk=row.pk) == before
