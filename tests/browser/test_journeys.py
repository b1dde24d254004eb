"""What a family does in the web app, in real Chromium, through the UI only."""

import pytest
from playwright.sync_api import expect

from tests.browser.journeys import log_in_by_code, register, verify_by_link

pytestmark = pytest.mark.requires_services


def test_register_open_the_emailed_link_and_log_in_with_an_emailed_code(app):
    page = app.new_page()
    register(app, page, "ann@example.com")
    verify_by_link(app, page, "ann@example.com")
    page.get_by_role("link", name="Log in now").click()
    log_in_by_code(app, page, "ann@example.com")
    expect(page.locator("#welcome")).to_have_text("Welcome, Ann.")
    expect(page.get_by_role("navigation", name="Main").get_by_role("button", name="Log out")).to_be_visible()
