"""The EmailOTP admin: useful for support, and never a place to read a code."""

import pytest
from django.contrib.auth.models import Permission

from apps.users.models import EmailOTP
from apps.users.tests.factories import UserFactory
from apps.users.tests.otp_helpers import fresh_code, request_code, verify_code, wrong

pytestmark = pytest.mark.django_db
CHANGELIST = "/admin/users/emailotp/"


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def codes(api_client, mailoutbox, settings):
    """Three users' codes: one valid, one used, one replaced by a newer one; with the plaintext codes."""
    settings.NUM_TRUSTED_PROXIES = 1
    settings.RATE_LIMITS = dict.fromkeys(settings.RATE_LIMITS, "1000/m")
    valid, used, replaced = UserFactory(email="valid@example.com"), UserFactory(), UserFactory()
    plain = [fresh_code(api_client, mailoutbox, valid.email)]
    plain.append(fresh_code(api_client, mailoutbox, used.email))
    verify_code(api_client, used.email, plain[-1])
    request_code(api_client, replaced.email, HTTP_X_FORWARDED_FOR="203.0.113.77")
    plain.append(fresh_code(api_client, mailoutbox, replaced.email))
    return plain


def test_changelist_shows_status_and_time_left_but_no_code(admin_client, codes):
    html = admin_client.get(CHANGELIST).content.decode()
    for label in ("Valid", "Used", "Replaced", "Time left", "valid@example.com"):
        assert label in html
    for code in codes:
        assert code not in html


def test_change_page_shows_no_code_or_hash(admin_client, codes):
    otp = EmailOTP.objects.first()
    html = admin_client.get(f"{CHANGELIST}{otp.pk}/change/").content.decode()
    assert otp.code_hash not in html
    assert all(code not in html for code in codes)


def test_search_by_email_and_by_ip(admin_client, codes):
    by_email = admin_client.get(CHANGELIST, {"q": "valid@example"})
    assert by_email.context["cl"].result_count == 1
    by_ip = admin_client.get(CHANGELIST, {"q": "203.0.113.77"})
    assert by_ip.context["cl"].result_count == 1


def test_status_filter(admin_client, api_client, mailoutbox, codes):
    locked = UserFactory()
    code = fresh_code(api_client, mailoutbox, locked.email)
    for _ in range(5):
        verify_code(api_client, locked.email, wrong(code))
    counts = {
        status: admin_client.get(CHANGELIST, {"status": status}).context["cl"].result_count
        for status in ("valid", "used", "replaced", "locked", "expired")
    }
    assert counts == {"valid": 2, "used": 1, "replaced": 1, "locked": 1, "expired": 0}


def test_no_adding_and_only_superusers_delete(admin_client, client, codes):
    assert admin_client.get(f"{CHANGELIST}add/").status_code == 403
    otp = EmailOTP.objects.first()
    assert admin_client.post(f"{CHANGELIST}{otp.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not EmailOTP.objects.filter(pk=otp.pk).exists()

    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(*Permission.objects.filter(codename__in=["view_emailotp", "delete_emailotp"]))
    client.force_login(staff)
    other = EmailOTP.objects.first()
    assert client.get(CHANGELIST).status_code == 200
    assert client.post(f"{CHANGELIST}{other.pk}/delete/", {"post": "yes"}).status_code == 403
    assert EmailOTP.objects.filter(pk=other.pk).exists()
