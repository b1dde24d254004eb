"""Password login. Every failure looks the same from outside, so the response never reveals an account."""

from django.db import transaction
from django.http import HttpRequest

from apps.audit.models import AuditAction
from apps.audit.services import log_action
from apps.common.exceptions import AuthenticationFailed
from apps.users.auth.services.sessions import LoginResult, session_start, user_can_log_in
from apps.users.mfa.services.mfa import mfa_challenge_start, mfa_is_enabled
from apps.users.models import User, normalize_email

INVALID_CREDENTIALS = "Invalid email or password."


def login_complete(
    *, user: User, request: HttpRequest | None, method: str, audit_action: str = AuditAction.LOGIN
) -> LoginResult:
    """The last step of every first-factor login: issue tokens, or stop at the MFA challenge.

    `audit_action` is the row written when tokens are issued (e.g. OTP_LOGIN for a code login); with MFA on,
    the login is recorded when the challenge is passed.
    """
    if mfa_is_enabled(user):
        return LoginResult(user=user, mfa_token=mfa_challenge_start(user=user, method=method))
    tokens = session_start(user=user, request=request, method=method)
    log_action(user=user, action_type=audit_action, request=request, description=f"Login via {method}")
    return LoginResult(user=user, tokens=tokens)


def password_login(*, email: str, password: str, request: HttpRequest | None) -> LoginResult:
    email = normalize_email(email)
    user = User.objects.filter(email=email).first()
    if user is None:
        User().set_password(password)  # spend the same hashing time as for a real account
        password_ok = False
    else:
        password_ok = user.check_password(password)

    if user is None or not (password_ok and user_can_log_in(user)):
        log_action(
            user=user,
            action_type=AuditAction.LOGIN_FAILED,
            request=request,
            description="Password login failed",
            metadata={"email": email[:254]},
        )
        raise AuthenticationFailed(INVALID_CREDENTIALS, code="invalid_credentials")

    with transaction.atomic():
        return login_complete(user=user, request=request, method="password")
