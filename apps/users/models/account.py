"""Rows of the account area: email verification, password reset, email change."""

from datetime import timedelta

from django.db import models

from apps.common.models import BaseModel
from apps.common.one_time_secrets import EmailedSecret
from apps.users.models.auth import LoginSession
from apps.users.models.user import User

EMAIL_VERIFICATION_LIFETIME = timedelta(hours=24)
EMAIL_VERIFICATION_MAX_ATTEMPTS = 5  # tries of the code per issued verification


class EmailVerification(BaseModel, EmailedSecret):
    """One issued verification: a link token and a 6-digit code, both stored only as keyed hashes.

    A resend issues a new row and marks the earlier pending ones replaced, so an account has at most one
    live secret pair (see docs/SECURITY.md, "Email verification").
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="email_verifications")
    used_at = None  # a verification is "verified", not "used"
    verified_at = models.DateTimeField(null=True, blank=True)

    max_attempts = EMAIL_VERIFICATION_MAX_ATTEMPTS
    used_field = "verified_at"

    class Meta:
        db_table = "email_verification"
        verbose_name = "Email verification"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "-created_at"], name="email_verif_user_latest")]

    def __str__(self):
        return f"{self.status} - {self.user_id}"

    @property
    def status(self) -> str:
        if self.verified_at:
            return "Verified"
        if self.replaced_at:
            return "Replaced"
        if self.is_expired:
            return "Expired"
        if self.is_spent:
            return "Locked"
        return "Pending"


PASSWORD_RESET_LIFETIME = timedelta(hours=1)
PASSWORD_RESET_MAX_ATTEMPTS = 5  # tries of the code per issued reset
PASSWORD_RESET_DAILY_LIMIT = 5  # reset emails per account per 24 hours, counted in the database


class PasswordReset(BaseModel, EmailedSecret):
    """One "forgot password" email: a link token and a 6-digit code, both stored only as keyed hashes.

    A newer request replaces the older pending ones, so an account has at most one live reset.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_resets")
    ip_address = models.GenericIPAddressField(null=True, blank=True, help_text="Address that requested it.")

    max_attempts = PASSWORD_RESET_MAX_ATTEMPTS

    class Meta:
        db_table = "password_reset"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "-expires_at"], name="password_reset_user_latest")]

    def __str__(self):
        return f"Password reset #{self.pk} of user {self.user_id}"


EMAIL_CHANGE_LIFETIME = timedelta(hours=24)
EMAIL_CHANGE_MAX_ATTEMPTS = 5  # tries of each code (new address, old address) per requested change


class EmailChange(BaseModel, EmailedSecret):
    """A requested new address, applied only once both addresses confirm (see docs/SECURITY.md).

    The NEW address gets `token_hash`/`code_hash` (tries in `attempts`); the OLD one gets `old_token_hash`/
    `old_code_hash` (tries in `old_code_attempts`; unless the operator turned that step off: then they are
    empty) and `cancel_token_hash`, a link that
    cancels the change and signs out every session. `session` is the login that asked: revoking it voids the
    change, and only it may confirm by code. A void change (`voided_at`, `void_reason`) was killed by a
    security event on the account (password changed or reset, sessions revoked, MFA turned on or off, a
    cancel from the old address).
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="email_changes")
    new_email = models.EmailField(max_length=254)
    old_token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    old_code_hash = models.CharField(max_length=64, blank=True, editable=False)
    cancel_token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    session = models.ForeignKey(
        LoginSession, null=True, blank=True, on_delete=models.SET_NULL, related_name="email_changes"
    )
    new_confirmed_at = models.DateTimeField(null=True, blank=True)
    old_confirmed_at = models.DateTimeField(null=True, blank=True)
    used_at = None  # a change is "confirmed" (applied), not "used"
    confirmed_at = models.DateTimeField(null=True, blank=True, help_text="When the change was applied.")
    voided_at = models.DateTimeField(null=True, blank=True)
    void_reason = models.CharField(max_length=40, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    old_code_attempts = models.PositiveSmallIntegerField(
        default=0,
        help_text="Tries of the old address's code, right or wrong; at most EMAIL_CHANGE_MAX_ATTEMPTS.",
    )

    max_attempts = EMAIL_CHANGE_MAX_ATTEMPTS
    used_field = "confirmed_at"

    class Meta:
        db_table = "email_change"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "-created_at"], name="email_change_user_latest")]

    def __str__(self):
        return f"Email change #{self.pk} of user {self.user_id}"

    @classmethod
    def pending(cls) -> models.Q:
        """Neither applied nor replaced nor void: it may still be confirmed."""
        return super().pending() & models.Q(voided_at__isnull=True)

    @property
    def needs_old_address(self) -> bool:
        return bool(self.old_token_hash)
