"""How the app behaves around the journeys: token refresh, a refused refresh, 429s, field errors."""

import time
from datetime import timedelta

import pytest
from playwright.sync_api import Page, Request, expect
from rest_framework_simplejwt.tokens import AccessToken

from tests.browser.conftest import PASSWORD
from tests.browser.journeys import log_in_by_password, nav, signed_up

pytestmark = pytest.mark.requires_services


@pytest.fixture
def short_access_tokens(monkeypatch):
    """Access tokens that expire after 2 seconds instead of minutes (the class attribute simplejwt reads)."""
    monkeypatch.setattr(AccessToken, "lifetime", timedelta(seconds=2))


def quiet_past_the_token_lifetime(page: Page) -> None:
    """Wait until 3 s have passed since the page's last API call, so the access token it holds has expired
    (a slow machine may have refreshed it on the way here: the token is as old as the last call, at most)."""
    last_call = [time.monotonic()]

    def note_the_time(request: Request) -> None:
        if "/api/" in request.url:
            last_call[0] = time.monotonic()

    page.on("request", note_the_time)
    while (quiet := time.monotonic() - last_call[0]) < 3:
        page.wait_for_timeout(int((3 - quiet) * 1000) + 50)


def test_an_expired_access_token_is_refreshed_once_for_all_the_requests_that_failed(app, short_access_tokens):
    page = app.new_page()
    refreshes = []
    page.on("request", lambda r: "/auth/token/refresh/" in r.url and refreshes.append(r.url))
    signed_up(app, page, "ann@example.com")
    quiet_past_the_token_lifetime(page)
    before = len(refreshes)
    nav(page, "Bills")  # the page asks for households and bills, the header for unread notifications
    expect(page.get_by_role("heading", name="Bills")).to_be_visible()
    expect(page.get_by_text("Create or join a household first.")).to_be_visible()
    assert len(refreshes) - before == 1


def test_a_refused_refresh_signs_out_cleanly(app, short_access_tokens):
    first = app.new_page()
    signed_up(app, first, "ann@example.com")
    second = app.new_page()
    log_in_by_password(second, "ann@example.com")
    nav(second, "Sessions")
    second.get_by_role("button", name="Sign out everywhere else").click()
    expect(second.get_by_role("cell", name="This session")).to_be_visible()

    first.wait_for_timeout(3000)
    # the header's unread poll (every 15 s) may meet the refused refresh first; else following a link does
    if not first.get_by_text("You were signed out. Log in again.").is_visible():
        first.get_by_role("navigation", name="Main").get_by_role("link", name="Goals").click()
    expect(first.get_by_role("heading", name="Log in")).to_be_visible()
    expect(first.get_by_text("You were signed out. Log in again.")).to_be_visible()
    expect(first.get_by_role("navigation", name="Main").get_by_role("link", name="Log in")).to_be_visible()


def test_too_many_code_requests_say_when_to_try_again(app):
    page = app.new_page()
    page.goto("/login")
    ask = page.locator("#login-code-request")
    ask.get_by_label("Email").fill("someone@example.com")
    for _ in range(3):
        ask.get_by_role("button", name="Email me a code").click()
        expect(page.get_by_label("Code from the email")).to_be_visible()
        expect(ask.get_by_role("button", name="Email me a code")).to_be_enabled()
    ask.get_by_role("button", name="Email me a code").click()
    expect(ask.get_by_role("alert")).to_contain_text("Too many attempts. Try again in")


def test_field_errors_appear_next_to_their_fields(app):
    page = app.new_page()
    page.goto("/register")
    page.get_by_label("Email").fill("kim@example.com")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat the password").fill(PASSWORD + "x")
    page.keyboard.press("Enter")
    confirm = page.get_by_label("Repeat the password")
    expect(confirm).to_have_attribute("aria-invalid", "true")
    error = page.locator(".field", has=confirm).locator(".field-error")
    expect(error).to_be_visible()
    assert error.get_attribute("id") in confirm.get_attribute("aria-describedby")
    expect(confirm).to_be_focused()


def test_a_sensitive_change_asks_to_confirm_it_is_you_then_goes_through(app, clock):
    page = app.new_page()
    signed_up(app, page, "ann@example.com")
    second = app.new_page()
    log_in_by_password(second, "ann@example.com")
    expect(second.get_by_role("heading", name="Dashboard")).to_be_visible()
    clock.advance(timedelta(minutes=30))  # the login no longer counts as a recent proof

    nav(page, "Sessions")
    expect(page.get_by_role("button", name="Revoke")).to_have_count(1)
    page.get_by_role("button", name="Sign out everywhere else").click()
    dialog = page.get_by_role("dialog", name="Confirm it's you")
    expect(dialog).to_be_visible()
    dialog.get_by_label("Your password").fill(PASSWORD)
    dialog.get_by_role("button", name="Confirm with password").click()
    expect(dialog).to_have_count(0)
    expect(page.get_by_role("button", name="Revoke")).to_have_count(0)  # the other session is gone


def test_the_header_links_stay_in_place_while_pages_change(app):
    """A link swapped for an identical one between mouse-down and mouse-up swallows the click."""
    page = app.new_page()
    signed_up(app, page, "ann@example.com")
    page.locator('nav[aria-label="Main"] a[href="/bills"]').evaluate("link => (link.dataset.seen = 'before')")
    nav(page, "Goals")
    nav(page, "Dashboard")
    expect(page.locator('nav[aria-label="Main"] a[href="/bills"][data-seen="before"]')).to_have_count(1)
