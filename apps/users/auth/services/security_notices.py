"""Security notices: short emails that tell a user something important happened to their account.

Each kind has its own template pair under templates/emails/security/ and its subject in the email registry.
They carry no codes, tokens or links containing them.
"""

from typing import Any

from apps.emails.services import email_send
from apps.users.models import User

NOTICE_TEMPLATES = {
    "password_changed": "security/password_changed",
    "password_reset": "security/password_reset",
    "email_changed": "security/email_changed",
    "mfa_enabled": "security/mfa_enabled",
    "mfa_disabled": "security/mfa_disabled",
    "recovery_code_used": "security/recovery_code_used",
    "recovery_codes_regenerated": "security/recovery_codes_regenerated",
    "token_reuse": "security/token_reuse",
    "otp_paused": "security/otp_paused",
    "mfa_paused": "security/mfa_paused",
    "reauthentication_paused": "security/reauthentication_paused",
}


def security_notice_send(
    *, user: User, kind: str, to: str | None = None, context: dict[str, Any] | None = None
) -> None:
    """Queue the notice `kind` for `user` (to their current address unless `to` is given)."""
    email_send(
        to=to or user.email,
        template=NOTICE_TEMPLATES[kind],
        context={"name": user.first_name or user.email, **(context or {})},
    )
