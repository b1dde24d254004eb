import uuid
from datetime import timedelta

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from apps.common import clock
from apps.common.models import BaseModel


def normalize_email(email: str) -> str:
    return (email or "").strip().lower()


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra):
        if not email:
            raise ValueError("An email address is required.")
        extra.setdefault("is_active", True)
        user = self.model(email=normalize_email(email), **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.update(
            is_staff=True,
            is_superuser=True,
            is_active=True,
            email_verified=True,
            role=User.Role.ADMIN,
        )
        return self.create_user(email, password, **extra)

    def get_by_natural_key(self, email):
        return self.get(email=normalize_email(email))


class User(AbstractBaseUser, PermissionsMixin, BaseModel):
    class Role(models.TextChoices):
        MEMBER = "member", "Member"
        ADMIN = "admin", "Administrator"

    email = models.EmailField(max_length=254, unique=True)
    first_name = models.CharField(max_length=150, blank=True)
    last_name = models.CharField(max_length=150, blank=True)
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.MEMBER)
    email_verified = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    deleted_at = models.DateTimeField(
        null=True, blank=True, help_text="Set when the user deleted the account; the row is anonymised."
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        db_table = "users"
        constraints = [models.UniqueConstraint(Lower("email"), name="users_email_ci_unique")]

    def save(self, *args, **kwargs):
        self.email = normalize_email(self.email)
        super().save(*args, **kwargs)

    def __str__(self):
        return self.email


class LoginSession(models.Model):
    """One refresh-token family: everything rotated from one login. Revoking it kills every descendant."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="login_sessions")
    current_jti = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(default=timezone.now)
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


class EmailOTP(BaseModel):
    """A one-time login code sent by email. Only a keyed hash of the code is stored.

    A code is live while it is unused, unexpired, has had fewer than OTP_MAX_ATTEMPTS wrong tries, and no
    newer code exists for its user (requesting a new code replaces the older ones).
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="email_otps")
    code_hash = models.CharField(
        max_length=64, help_text="HMAC-SHA256 of the code; the code itself is not kept."
    )
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    failed_attempts = models.PositiveSmallIntegerField(default=0)
    ip_address = models.GenericIPAddressField(null=True, blank=True, help_text="Address that requested it.")

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
    """Wrong guesses at a guessable factor (email OTP, TOTP, email-change code, current password) for one
    account, counted in a fixed window.

    Kept in the database, not the cache, so the bound it enforces survives a cache flush or outage and holds
    however many client addresses an attacker uses.
    """

    class Factor(models.TextChoices):
        OTP = "otp", "Email OTP"
        TOTP = "totp", "TOTP"
        REAUTH = "reauth", "Reauthentication email code"
        EMAIL_CHANGE = "email_change", "Email-change code"
        PASSWORD = "password", "Current password"

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
    created_at = models.DateTimeField(default=timezone.now)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "mfa_recovery_code"

    def __str__(self):
        return f"Recovery code #{self.pk} of user {self.user_id}"


class MfaChallenge(models.Model):
    """A first factor passed; the second is pending. The client holds the token, we keep its keyed hash."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="mfa_challenges")
    token_hash = models.CharField(max_length=64, unique=True)
    method = models.CharField(max_length=20)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    failed_attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        db_table = "mfa_challenge"

    def __str__(self):
        return f"MFA challenge of user {self.user_id} via {self.method}"


REAUTHENTICATION_CODE_LIFETIME = timedelta(minutes=10)
REAUTHENTICATION_CODE_MAX_ATTEMPTS = 5  # tries of the code (right or wrong) per issued code


class ReauthenticationCode(models.Model):
    """A 6-digit code emailed to the account's address; it reauthenticates only the session that asked for it.

    Only a keyed hash is stored. An account has one live code at most: only its newest row is accepted.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="reauthentication_codes")
    session = models.ForeignKey(LoginSession, on_delete=models.CASCADE, related_name="+")
    code_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    code_attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        db_table = "reauthentication_code"
        indexes = [models.Index(fields=["user", "-id"], name="reauth_code_user_newest")]

    def __str__(self):
        return f"Reauthentication code #{self.pk} of user {self.user_id}"


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
