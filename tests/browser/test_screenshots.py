"""Screenshots of the main pages at desktop and phone width, from a real session in Chromium.

The suite takes them into var/screenshots/ (so every run renders each page at both widths and checks that
nothing is wider than a phone); `make screenshots` takes them into docs/web/, which the README links.
"""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.journeys import create_household, nav, signed_up
from tests.support import ROOT

pytestmark = pytest.mark.requires_services

OUT = Path(os.environ.get("SCREENSHOTS_DIR") or ROOT / "var" / "screenshots")
if not OUT.is_absolute():
    OUT = ROOT / OUT


def shoot(page, name: str, phone: bool) -> None:
    page.wait_for_load_state("networkidle")
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.viewport_size["width"]
    assert width <= viewport, f"{name} is {width}px wide on a {viewport}px screen"
    page.screenshot(path=str(OUT / f"{name}-{'phone' if phone else 'desktop'}.png"), full_page=True)


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_screenshots_of_the_main_pages(app, phone):
    OUT.mkdir(parents=True, exist_ok=True)
    page = app.new_page(phone=phone)
    page.goto("/login")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    shoot(page, "login", phone)

    signed_up(app, page, "ann@example.com", "Ann")
    create_household(page, "The Smiths")
    shoot(page, "household", phone)

    nav(page, "Bills")
    for name, amount in (("Rent", "950.00"), ("Water", "42.50")):
        add = page.locator("#bill-add")
        add.get_by_label("Name").fill(name)
        add.get_by_label("Amount").fill(amount)
        add.get_by_role("button", name="Add bill").click()
        expect(page.get_by_role("link", name=name)).to_be_visible()
    shoot(page, "bills", phone)

    nav(page, "Goals")
    add = page.locator("#goal-add")
    add.get_by_label("Name").fill("Summer trip")
    add.get_by_label("Target amount").fill("1200")
    add.get_by_role("button", name="Add goal").click()
    expect(page.get_by_role("heading", name="Summer trip")).to_be_visible()
    page.get_by_label("Amount", exact=True).fill("700")
    page.get_by_role("button", name="Add contribution").click()
    expect(page.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "58")
    shoot(page, "goal", phone)

    nav(page, "Notifications")
    expect(page.get_by_text("Summer trip reached 50%")).to_be_visible(timeout=30_000)
    shoot(page, "notifications", phone)

    nav(page, "Dashboard")
    expect(page.locator("#welcome")).to_be_visible()
    shoot(page, "dashboard", phone)

    nav(page, "Reports")
    page.get_by_role("button", name="Build the report").click()
    expect(page.get_by_role("button", name="Download CSV")).to_be_visible(timeout=30_000)
    shoot(page, "reports", phone)

    nav(page, "Security")
    page.get_by_role("button", name="Set up an authenticator app").click()
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    shoot(page, "mfa-enrol", phone)
