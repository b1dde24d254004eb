"""Links in emails: FRONTEND_URL plus the web app's path for each page (FRONTEND_*_PATH settings)."""

from urllib.parse import urlencode

from django.conf import settings


def frontend_link(page: str, **query: str) -> str:
    """`page` is a key of settings.FRONTEND_PATHS: verify_email, reset_password, confirm_email_change,
    cancel_email_change, accept_invite, login. docs/INTEGRATING.md says which endpoint each page calls."""
    url = f"{settings.FRONTEND_URL}{settings.FRONTEND_PATHS[page]}"
    return f"{url}?{urlencode(query)}" if query else url
