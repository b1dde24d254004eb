"""Every email we send: template name → subject. Bodies live in templates/emails/<name>.html and .txt."""

SUBJECTS: dict[str, str] = {
    "test": "KinWise test email",
    "verify_email": "Verify your KinWise account",
    "login_otp": "Your KinWise login code",
    "reauthentication_code": "Your KinWise confirmation code",
    "welcome": "Welcome to KinWise!",
    "password_reset": "Reset your KinWise password",
    "email_change": "Confirm your new KinWise email address",
    "email_change_old": "Your KinWise email address is about to change",
    "security/password_changed": "Your KinWise password was changed",
    "security/password_reset": "Your KinWise password was reset",
    "security/email_changed": "The email address of your KinWise account was changed",
    "security/mfa_enabled": "Two-factor authentication is now on",
    "security/mfa_disabled": "Two-factor authentication was turned off",
    "security/recovery_code_used": "A KinWise recovery code was used",
    "security/recovery_codes_regenerated": "New KinWise recovery codes were created",
    "security/token_reuse": "We signed out a suspicious KinWise session",
    "security/otp_paused": "Email-code sign-in to KinWise is paused",
    "security/mfa_paused": "Two-factor codes for KinWise are paused",
    "security/reauthentication_paused": "KinWise confirmation codes are paused",
    "household_invite": "You're invited to a KinWise household",
    "bill_reminder": "Bill reminder: a bill is due soon",
    "goal_milestone": "A savings goal reached a milestone",
    "report_ready": "Your KinWise report is ready",
    "account_exists": "Someone tried to sign up with your email",
}

# Emails written by the worker (apps.emails.services.email_request): preparer name → the function, by dotted
# path so this module imports nothing of the apps that own them. A preparer takes (to, origin) inside the
# delivery's transaction and returns a PreparedEmail, or None when the address gets nothing.
PREPARERS: dict[str, str] = {
    "otp_request": "apps.users.auth.services.otp.otp_request_prepare",
    "password_reset_request": "apps.users.account.services.password_reset.password_reset_request_prepare",
    "verification_resend": "apps.users.account.services.verification.verification_resend_prepare",
}
