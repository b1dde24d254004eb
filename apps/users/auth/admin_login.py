"""The admin's sign-in: password, then the staff member's TOTP code when they have MFA on.

Threats and answers:
- A stolen staff password alone opens the admin: staff with MFA on must also give a current TOTP code, spent
  through the same service as the API's (apps.users.mfa.services.mfa: no replay, wrong codes count against the
  account's budget); with ADMIN_MFA_REQUIRED, staff without MFA are refused until they turn it on.
- Guessing passwords or codes at the admin: every attempt counts against per-IP and per-account limits
  (RATE_LIMITS admin_login_ip / admin_login_account, the same sliding log as the API's throttles), checked
  before the password is.
- Unnoticed attempts: each success and failure writes an audit row (LOGIN / LOGIN_FAILED, channel admin).
"""

import hashlib
import math

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError

from apps.audit.models import AuditAction
from apps.audit.services import log_action
from apps.common.exceptions import ApplicationError, RateLimited
from apps.common.throttles import IPRateThrottle, RateThrottle
from apps.users.mfa.services.mfa import mfa_is_enabled, mfa_reauthenticate
from apps.users.models import User

CHANNEL = {"channel": "admin"}


class _PerIp(IPRateThrottle):
    scope = "admin_login_ip"


class _PerAccount(RateThrottle):
    scope = "admin_login_account"

    def __init__(self, email: str):
        super().__init__()
        self.email = email

    def ident_for(self, request, view):
        normalized = self.email.strip().lower()
        return hashlib.sha256(normalized.encode()).hexdigest()[:32] if normalized else None


def _too_many(wait: float | None) -> ValidationError:
    minutes = max(1, math.ceil((wait or 60) / 60))
    return ValidationError(f"Too many sign-in attempts. Try again in {minutes} minute(s).", code="throttled")


class AdminLoginForm(AdminAuthenticationForm):
    otp_code = forms.CharField(
        label="Authenticator code",
        required=False,
        max_length=16,
        strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        help_text="The 6-digit code from your authenticator app, if you have two-factor authentication on.",
    )

    def clean(self):
        email = self.cleaned_data.get("username") or ""
        for limit in (_PerIp(), _PerAccount(email)):
            if not limit.allow_request(self.request, None):
                self._audit_failure(email, "rate limited")
                raise _too_many(limit.wait())
        try:
            super().clean()  # the password, and is_active / is_staff
        except ValidationError:
            self._audit_failure(email, "wrong credentials or not staff")
            raise
        user = self.get_user()
        if mfa_is_enabled(user):
            self._second_factor(user)
        elif settings.ADMIN_MFA_REQUIRED:
            self._audit_failure(email, "staff without MFA", user=user)
            raise ValidationError(
                "Two-factor authentication is required for the admin: turn it on in your account first.",
                code="mfa_required",
            )
        log_action(
            user=user, action_type=AuditAction.LOGIN, request=self.request, description="Admin sign-in",
            metadata={**CHANNEL, "mfa": mfa_is_enabled(user)},
        )  # fmt: skip
        return self.cleaned_data

    def _second_factor(self, user: User) -> None:
        code = self.cleaned_data.get("otp_code") or ""
        if not code:
            self._audit_failure(user.email, "no authenticator code", user=user)
            raise ValidationError("Enter the code from your authenticator app.", code="mfa_code_required")
        try:
            mfa_reauthenticate(user=user, code=code, request=self.request)
        except RateLimited as paused:
            raise _too_many(paused.wait) from None
        except ApplicationError:
            raise ValidationError("Invalid authenticator code.", code="invalid_mfa_code") from None

    def _audit_failure(self, email: str, reason: str, user: User | None = None) -> None:
        if user is None:
            user = User.objects.filter(email__iexact=email.strip()).first() if email else None
        log_action(
            user=user, action_type=AuditAction.LOGIN_FAILED, request=self.request,
            description=f"Admin sign-in refused: {reason}", metadata=CHANNEL,
        )  # fmt: skip
