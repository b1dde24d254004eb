"""Rows of the account area: email verification, password reset, email change."""

from datetime import timedelta

from django.db import models

from apps.common import clock
from apps.common.models import BaseModel
from apps.users.models.auth import LoginSession
from apps.users.models.user import User

EMAIL_VERIFICATION_LIFETIME = timedelta(hours=24)
EMAIL_VERIFICATION_MAX_ATTEMPTS = 5  # wrong codes per issued verification
# wrong codes per account, summed over its verifications that are still unexpired (issued in the last 24 h)
EMAIL_VERIFICATION_CODE_BUDGET = 15


class EmailVerification(BaseModel):
    """One issued verification: a link token and a 6-digit code, both stored only as keyed hashes.

    A resend issues a new row and marks the earlier pending ones replaced, so an account has at most one
    live secret pair (see docs/SECURITY.md, "Email verification").
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="email_verifications")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    code_hash = models.CharField(max_length=64, editable=False)
    expires_at = models.DateTimeField()
    verified_at = models.DateTimeField(null=True, blank=True)
    replaced_at = models.DateTimeField(null=True, blank=True)
    failed_attempts = models.PositiveSmallIntegerField(default=0)

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
        if self.expires_at <= clock.now():
            return "Expired"
        if self.failed_attempts >= EMAIL_VERIFICATION_MAX_ATTEMPTS:
            return "Locked"
        return "Pending"


PASSWORD_RESET_LIFETIME = timedelta(hours=1)
PASSWORD_RESET_MAX_ATTEMPTS = 5  # tries of the code per issued reset
PASSWORD_RESET_DAILY_LIMIT = 5  # reset emails per account per 24 hours, counted in the database


class PasswordReset(BaseModel):
    """One "forgot password" email: a link token and a 6-digit code, both stored only as keyed hashes.

    A newer request replaces the older pending ones, so an account has at most one live reset.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_resets")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    code_hash = models.CharField(max_length=64, editable=False)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    replaced_at = models.DateTimeField(null=True, blank=True)
    code_attempts = models.PositiveSmallIntegerField(
        default=0, help_text="Tries of the code so far, right or wrong; at most PASSWORD_RESET_MAX_ATTEMPTS."
    )
    ip_address = models.GenericIPAddressField(null=True, blank=True, help_text="Address that requested it.")

    class Meta:
        db_table = "password_reset"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "-expires_at"], name="password_reset_user_latest")]

    def __str__(self):
        return f"Password reset #{self.pk} of user {self.user_id}"


EMAIL_CHANGE_LIFETIME = timedelta(hours=24)
EMAIL_CHANGE_MAX_ATTEMPTS = 5  # tries of each code (new address, old address) per requested change


class EmailChange(BaseModel):
    """A requested new address, applied only once both addresses confirm (see docs/SECURITY.md).

    The NEW address gets `token_hash`/`code_hash`; the OLD one gets `old_token_hash`/`old_code_hash`
    (unless the operator turned that step off: then they are empty) and `cancel_token_hash`, a link that
    cancels the change and signs out every session. `session` is the login that asked: revoking it voids the
    change, and only it may confirm by code. A void change (`voided_at`, `void_reason`) was killed by a
    security event on the account (password changed or reset, sessions revoked, MFA turned on or off, a
    cancel from the old address).
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="email_changes")
    new_email = models.EmailField(max_length=254)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    code_hash = models.CharField(max_length=64, editable=False)
    old_token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    old_code_hash = models.CharField(max_length=64, blank=True, editable=False)
    cancel_token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    session = models.ForeignKey(
        LoginSession, null=True, blank=True, on_delete=models.SET_NULL, related_name="email_changes"
    )
    expires_at = models.DateTimeField()
    new_confirmed_at = models.DateTimeField(null=True, blank=True)
    old_confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True, help_text="When the change was applied.")
    replaced_at = models.DateTimeField(null=True, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    void_reason = models.CharField(max_length=40, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    code_attempts = models.PositiveSmallIntegerField(
        default=0,
        help_text="Tries of the new address's code, right or wrong; at most EMAIL_CHANGE_MAX_ATTEMPTS.",
    )
    old_code_attempts = models.PositiveSmallIntegerField(
        default=0,
        help_text="Tries of the old address's code, right or wrong; at most EMAIL_CHANGE_MAX_ATTEMPTS.",
    )

    class Meta:
        db_table = "email_change"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "-created_at"], name="email_change_user_latest")]

    def __str__(self):
        return f"Email change #{self.pk} of user {self.user_id}"

    @property
    def needs_old_address(self) -> bool:
        return bool(self.old_token_hash)
