"""Steps a person takes in the web app, shared by the journeys: each goes through the UI only."""

import pyotp
from playwright.sync_api import Page, expect

from tests.browser.conftest import PASSWORD, App


def register(app: App, page: Page, email: str, first_name: str = "Ann") -> None:
    page.goto("/register")
    page.get_by_label("Email").fill(email)
    page.get_by_label("First name").fill(first_name)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat the password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_text(f"We sent a link and a 6-digit code to {email}")).to_be_visible()


def verify_by_link(app: App, page: Page, email: str) -> None:
    link = app.link_in(app.email_to(email, "Verify"), "/verify-email")
    page.goto(link)
    expect(page.get_by_role("status").filter(has_text="verified")).to_be_visible()


def log_in_by_code(app: App, page: Page, email: str) -> None:
    page.goto("/login")
    before = len([m for m in app.mail.messages_to(email) if "code" in m["Subject"].lower()])
    code_card = page.locator("#login-code-request")
    code_card.get_by_label("Email").fill(email)
    code_card.get_by_role("button", name="Email me a code").click()
    code = app.code_in(app.email_to(email, "code", after=before))
    page.get_by_label("Code from the email").fill(code)
    page.get_by_role("button", name="Log in with the code").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()


def log_in_by_password(page: Page, email: str, password: str = PASSWORD) -> None:
    page.goto("/login")
    form = page.locator("#login-password")
    form.get_by_label("Email").fill(email)
    form.get_by_label("Password").fill(password)
    form.get_by_role("button", name="Log in").click()


def signed_up(app: App, page: Page, email: str, first_name: str = "Ann") -> None:
    """Register, verify by the emailed link, log in by password: on the dashboard."""
    register(app, page, email, first_name)
    verify_by_link(app, page, email)
    log_in_by_password(page, email)
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()


def nav(page: Page, name: str) -> None:
    """Follow a header link and wait until its page has replaced the one before."""
    target = page.get_by_role("navigation", name="Main").get_by_role("link", name=name)
    path = target.get_attribute("href") or "/"
    target.click()
    expect(page.locator("body")).to_have_attribute("data-path", path)
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def create_household(page: Page, name: str) -> None:
    nav(page, "Households")
    page.locator("#household-create").get_by_label("Name").fill(name)
    page.get_by_role("button", name="Create").click()
    expect(page.get_by_role("heading", name=name)).to_be_visible()


def enrol_authenticator(page: Page) -> tuple[str, list[str]]:
    """From the dashboard: turn TOTP on from the Security page. Returns the secret shown and the codes."""
    page.get_by_role("link", name="Security").click()
    page.get_by_role("button", name="Set up an authenticator app").click()
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    secret = page.locator("#totp-secret").inner_text()
    page.get_by_label("6-digit code from the app").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn on").click()
    codes = page.locator("#recovery-codes")
    expect(codes).to_be_visible()
    expect(page.get_by_role("button", name="Copy the codes")).to_be_visible()
    return secret, codes.inner_text().split()
