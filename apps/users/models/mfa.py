"""Rows of the mfa area: the authenticator app, recovery codes, pending second-factor challenges."""

import uuid

from django.conf import settings
from django.db import models

from apps.common import clock
from apps.common.models import BaseModel
from apps.common.one_time_secrets import OneTimeSecret
from apps.users.models.user import User


class TotpDevice(BaseModel):
    """A user's authenticator app. MFA is on once it is confirmed; the seed is encrypted at rest."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="totp_device")
    secret_encrypted = models.TextField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    last_used_step = models.BigIntegerField(
        null=True,
        blank=True,
        help_text="Time step of the last accepted code; older or equal steps are refused.",
    )

    class Meta:
        db_table = "mfa_totp_device"
        verbose_name = "TOTP device"

    def __str__(self):
        return f"TOTP of user {self.user_id} ({'on' if self.confirmed_at else 'pending'})"


class RecoveryCode(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="mfa_recovery_codes")
    code_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=clock.now)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "mfa_recovery_code"

    def __str__(self):
        return f"Recovery code #{self.pk} of user {self.user_id}"


class MfaChallenge(OneTimeSecret):
    """A first factor passed; the second is pending. The client holds the token, we keep its keyed hash.

    `attempts` counts the answers tried, right or wrong (MFA_CHALLENGE_MAX_ATTEMPTS at most).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="mfa_challenges")
    token_hash = models.CharField(max_length=64, unique=True)
    method = models.CharField(max_length=20)
    created_at = models.DateTimeField(default=clock.now)

    @classmethod
    def attempt_limit(cls) -> int:
        return settings.MFA_CHALLENGE_MAX_ATTEMPTS

    class Meta:
        db_table = "mfa_challenge"

    def __str__(self):
        return f"MFA challenge of user {self.user_id} via {self.method}"
