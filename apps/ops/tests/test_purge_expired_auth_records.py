from datetime import timedelta

import pytest

from apps.ops.tasks import purge_expired_auth_records
from apps.users.models import EmailOTP, LoginSession

pytestmark = pytest.mark.django_db


def request_code(client, email):
    assert client.post("/api/v1/auth/otp/request/", {"email": email}, format="json").status_code == 200


def test_records_a_week_past_expiry_are_purged_live_ones_kept(api_client, auth_client, user, clock, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "otp_request_ip": "100/m", "otp_request_email": "100/m"}
    request_code(api_client, user.email)
    clock.advance(timedelta(days=9))
    request_code(api_client, user.email)

    purge_expired_auth_records.delay()

    assert EmailOTP.objects.filter(user=user).count() == 1
    assert EmailOTP.objects.get(user=user).expires_at > clock.now()
    assert not LoginSession.objects.filter(user=user).exists()  # the 1-day session ended 8 days ago


def test_nothing_recent_is_purged(api_client, auth_client, user):
    request_code(api_client, user.email)
    purge_expired_auth_records.delay()
    assert EmailOTP.objects.filter(user=user).count() == 1
    assert LoginSession.objects.filter(user=user).count() == 1
