"""A household's members and money in the web app, in real Chromium, through the UI only: roles and leaving,
paying a bill and its history, notification preferences."""

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import App
from tests.browser.journeys import create_household, nav, signed_up

pytestmark = pytest.mark.requires_services


def invited_and_joined(app: App, owner: Page, member: Page, email: str, household: str) -> None:
    invite = owner.locator("#invite")
    invite.get_by_label("Their email").fill(email)
    invite.get_by_role("button", name="Send invitation").click()
    expect(invite.get_by_role("status")).to_have_text(f"Invitation sent to {email}.")
    member.goto(app.link_in(app.email_to(email, "invite"), "/invites/accept"))
    expect(member.get_by_role("status")).to_have_text(f"You joined {household}.")


def test_the_owner_makes_a_member_a_viewer_who_then_leaves_the_household(app):
    ann, bob = app.new_page(), app.new_page()
    signed_up(app, ann, "ann@example.com", "Ann")
    signed_up(app, bob, "bob@example.com", "Bob")
    create_household(ann, "The Smiths")
    invited_and_joined(app, ann, bob, "bob@example.com", "The Smiths")

    ann.reload()
    bobs_row = ann.get_by_role("row").filter(has_text="bob@example.com")
    with ann.expect_response(lambda r: "/members/" in r.url and r.request.method == "PATCH") as changed:
        bobs_row.get_by_label("Role").select_option("viewer")
    assert changed.value.status == 200

    bob.get_by_role("link", name="Open The Smiths").click()
    expect(bob.get_by_text("Your role: viewer")).to_be_visible()
    expect(bob.locator("#invite")).to_have_count(0)  # a viewer invites nobody
    bob.once("dialog", lambda dialog: dialog.accept())
    bob.get_by_role("button", name="Leave this household").click()
    expect(bob.get_by_text("You are not in a household yet.")).to_be_visible()

    ann.reload()
    expect(ann.get_by_role("heading", name="The Smiths")).to_be_visible()
    expect(ann.get_by_role("row").filter(has_text="bob@example.com")).to_have_count(0)


def test_pay_a_bill_and_find_the_payment_in_its_history(app):
    page = app.new_page()
    signed_up(app, page, "cy@example.com", "Cy")
    create_household(page, "Cy's")
    nav(page, "Bills")
    add = page.locator("#bill-add")
    add.get_by_label("Name").fill("Internet")
    add.get_by_label("Amount").fill("39.90")
    add.get_by_role("button", name="Add bill").click()
    page.get_by_role("link", name="Internet").click()
    expect(page.get_by_text("No payments yet.")).to_be_visible()

    pay = page.locator("#bill-pay")
    pay.get_by_label("Note").fill("paid by card")
    pay.get_by_role("button", name="Mark as paid").click()
    payment = page.get_by_role("row").filter(has_text="paid by card")
    expect(payment).to_contain_text("39.90")
    expect(page.get_by_text("Paid.")).to_be_visible()


def test_turning_a_notification_kind_off_by_email_is_kept(app):
    page = app.new_page()
    signed_up(app, page, "dee@example.com", "Dee")
    nav(page, "Notifications")
    by_email = page.get_by_role("checkbox", name="by email").first
    name = by_email.get_attribute("aria-label")
    expect(by_email).to_be_checked()
    with page.expect_response(lambda r: "/preferences/" in r.url and r.request.method == "PATCH") as saved:
        by_email.uncheck()
    assert saved.value.status == 200

    page.reload()
    expect(page.get_by_role("checkbox", name=name, exact=True)).not_to_be_checked()
    in_app = (name or "").replace("by email", "by in-app notification")
    expect(page.get_by_role("checkbox", name=in_app, exact=True)).to_be_checked()
