"""Shared steps for the account-lifecycle tests: links and codes are always read from the emails sent."""

import re
from urllib.parse import parse_qs, urlparse

LOGIN = "/api/v1/auth/login/"
REFRESH = "/api/v1/auth/token/refresh/"
ME = "/api/v1/auth/me/"
RESET = "/api/v1/auth/password/reset/"
RESET_CONFIRM = "/api/v1/auth/password/reset/confirm/"
EMAIL_CHANGE = "/api/v1/auth/email/change/"
EMAIL_CHANGE_CONFIRM = "/api/v1/auth/email/change/confirm/"
EMAIL_CHANGE_CANCEL = "/api/v1/auth/email/change/cancel/"
SESSIONS = "/api/v1/auth/sessions/"
REVOKE_OTHERS = "/api/v1/auth/sessions/revoke-others/"
PASSWORD_CHANGE = "/api/v1/auth/password/change/"
NEW_PASSWORD = "BrandNewPass456!"

RESET_SUBJECT = "Reset your KinWise password"
RESET_NOTICE = "Your KinWise password was reset"
CHANGE_SUBJECT = "Confirm your new KinWise email address"
CHANGED_NOTICE = "The email address of your KinWise account was changed"
CHANGE_OLD_SUBJECT = "Your KinWise email address is about to change"
PASSWORD_CHANGED_NOTICE = "Your KinWise password was changed"

_CODE_RE = re.compile(r"enter this code in the app instead: (\d{6})", re.IGNORECASE)


def mails(mailoutbox, to: str, subject: str) -> list:
    return [m for m in mailoutbox if m.to == [to] and m.subject == subject]


def last_mail(mailoutbox, to: str, subject: str):
    found = mails(mailoutbox, to, subject)
    assert found, f"no email {subject!r} to {to}; sent: {[(m.to, m.subject) for m in mailoutbox]}"
    return found[-1]


def link_in(body: str, path: str) -> str:
    match = re.search(rf"(https?://\S+/{re.escape(path)}\?token=\S+)", body)
    assert match, f"no /{path} link in:\n{body}"
    return match.group(1)


def token_in(body: str, path: str) -> str:
    return parse_qs(urlparse(link_in(body, path)).query)["token"][0]


def code_in(body: str) -> str:
    match = _CODE_RE.search(body)
    assert match, f"no code in:\n{body}"
    return match.group(1)


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def login(client, email: str, password: str):
    return client.post(LOGIN, {"email": email, "password": password}, format="json")


def refresh(client, token: str):
    return client.post(REFRESH, {"refresh": token}, format="json")


def ask_reset(client, email: str, **extra):
    return client.post(RESET, {"email": email}, format="json", **extra)


def reset_with_token(client, token: str, password: str = NEW_PASSWORD, confirm: str | None = None):
    body = {"token": token, "new_password": password, "new_password_confirm": confirm or password}
    return client.post(RESET_CONFIRM, body, format="json")


def reset_with_code(client, email: str, code: str, password: str = NEW_PASSWORD):
    body = {"email": email, "code": code, "new_password": password, "new_password_confirm": password}
    return client.post(RESET_CONFIRM, body, format="json")


def ask_email_change(client, new_email: str, current_password: str):
    return client.post(
        EMAIL_CHANGE, {"new_email": new_email, "current_password": current_password}, format="json"
    )


def refused(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code, body
    return body


def confirm_email_change(client, **body):
    return client.post(EMAIL_CHANGE_CONFIRM, body, format="json")


def cancel_email_change(client, token: str):
    return client.post(EMAIL_CHANGE_CANCEL, {"token": token}, format="json")


def confirm_old_address_by_link(client, mailoutbox, old_email: str):
    """Confirm the pending change from the current address, with the link it received."""
    mail = last_mail(mailoutbox, old_email, CHANGE_OLD_SUBJECT)
    return confirm_email_change(client, token=token_in(mail.body, "confirm-email-change"))


def change_password(client, current: str, new: str = NEW_PASSWORD):
    body = {"current_password": current, "new_password": new, "new_password_confirm": new}
    return client.post(PASSWORD_CHANGE, body, format="json")
