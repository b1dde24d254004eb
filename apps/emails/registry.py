"""Every email we send: template name → subject. Bodies live in templates/emails/<name>.html and .txt."""

SUBJECTS: dict[str, str] = {
    "test": "KinWise test email",
    "verify_email": "Verify your KinWise account",
    "login_otp": "Your KinWise login code",
    "welcome": "Welcome to KinWise!",
}
