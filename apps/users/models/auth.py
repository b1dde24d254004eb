"""Rows of the auth area: login sessions, email login codes, failure budgets, reauthentication codes."""

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models

from apps.common import clock
from apps.common.models import BaseModel
from apps.common.one_time_secrets import EmailedCode
from apps.users.models.user import User


class LoginSession(models.Model):
    """One refresh-token family: everything rotated from one login. Revoking it kills every descendant."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="login_sessions")
    current_jti = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=clock.now)
    last_used_at = models.DateTimeField(default=clock.now)
    expires_at = models.DateTimeField()
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=400, blank=True)
    method = models.CharField(max_length=20, default="password")
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=40, blank=True)
    reauthenticated_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When this session last gave a proof of identity (its login, or a reauthentication).",
    )

    class Meta:
        db_table = "login_session"
        indexes = [models.Index(fields=["user", "revoked_at"], name="login_session_user_active")]

    def __str__(self):
        return f"{self.user_id} {self.created_at:%Y-%m-%d %H:%M} {'revoked' if self.revoked_at else 'active'}"


class EmailOTP(BaseModel, EmailedCode):
    """A one-time login code sent by email. Only a keyed hash of the code is stored.

    A code is live while it is unused, unexpired, has had fewer than OTP_MAX_ATTEMPTS tries, and no newer
    code exists for its user (requesting a new code replaces the older ones).
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="email_otps")
    ip_address = models.GenericIPAddressField(null=True, blank=True, help_text="Address that requested it.")

    @classmethod
    def attempt_limit(cls) -> int:
        return settings.OTP_MAX_ATTEMPTS

    class Meta:
        db_table = "email_otp"
        verbose_name = "Email OTP"
        verbose_name_plural = "Email OTPs"
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["user", "-id"], name="email_otp_user_newest"),
            models.Index(fields=["expires_at"], name="email_otp_expires"),
        ]

    def __str__(self):
        return f"OTP #{self.pk} for user {self.user_id}"


class AuthFailureWindow(models.Model):
    """Wrong guesses at a guessable factor (email OTP, TOTP, reauthentication, email-change and
    email-verification codes, current password) for one account, counted in a fixed window.

    Kept in the database, not the cache, so the bound it enforces survives a cache flush or outage and holds
    however many client addresses an attacker uses.
    """

    class Factor(models.TextChoices):
        OTP = "otp", "Email OTP"
        TOTP = "totp", "TOTP"
        REAUTH = "reauth", "Reauthentication email code"
        EMAIL_CHANGE = "email_change", "Email-change code"
        PASSWORD = "password", "Current password"
        EMAIL_VERIFICATION = "email_verification", "Email-verification code"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="auth_failure_windows")
    factor = models.CharField(max_length=20, choices=Factor.choices)
    window_started_at = models.DateTimeField()
    failures = models.PositiveIntegerField(default=0)
    paused_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "auth_failure_window"
        constraints = [models.UniqueConstraint(fields=["user", "factor"], name="auth_failure_window_unique")]

    def __str__(self):
        return f"{self.factor} failures of user {self.user_id}: {self.failures}"


REAUTHENTICATION_CODE_LIFETIME = timedelta(minutes=10)
REAUTHENTICATION_CODE_MAX_ATTEMPTS = 5  # tries of the code (right or wrong) per issued code


class ReauthenticationCode(EmailedCode):
    """A 6-digit code emailed to the account's address; it reauthenticates only the session that asked for it.

    Only a keyed hash is stored. An account has one live code at most: only its newest row is accepted.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="reauthentication_codes")
    session = models.ForeignKey(LoginSession, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=clock.now)

    max_attempts = REAUTHENTICATION_CODE_MAX_ATTEMPTS

    class Meta:
        db_table = "reauthentication_code"
        indexes = [models.Index(fields=["user", "-id"], name="reauth_code_user_newest")]

    def __str__(self):
        return f"Reauthentication code #{self.pk} of user {self.user_id}"
