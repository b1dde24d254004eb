from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from apps.ops.tasks import flush_expired_tokens

pytestmark = pytest.mark.django_db


def test_expired_refresh_token_records_are_deleted_live_ones_kept(user):
    now = timezone.now()
    expired = OutstandingToken.objects.create(
        user=user, jti="old", token="", created_at=now - timedelta(days=2), expires_at=now - timedelta(days=1)
    )
    BlacklistedToken.objects.create(token=expired)
    OutstandingToken.objects.create(
        user=user, jti="live", token="", created_at=now, expires_at=now + timedelta(days=1)
    )
    flush_expired_tokens.delay()
    assert list(OutstandingToken.objects.values_list("jti", flat=True)) == ["live"]
    assert not BlacklistedToken.objects.exists()
