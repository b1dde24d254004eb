"""The account's own lifecycle in the web app, in real Chromium, through the UI only: a two-address email
change, deleting the account, a password reset by code, a login by recovery code."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD
from tests.browser.journeys import enrol_authenticator, log_in_by_password, nav, signed_up

pytestmark = pytest.mark.requires_services
NEW_PASSWORD = "Another-Secret-77"


def test_change_the_email_confirming_from_both_addresses_then_log_in_with_the_new_one(app):
    page = app.new_page()
    signed_up(app, page, "max@example.com", "Max")
    nav(page, "Account")
    ask = page.locator("#email-change")
    ask.get_by_label("New email").fill("max.new@example.org")
    ask.get_by_label("Current password").fill(PASSWORD)
    ask.get_by_role("button", name="Send confirmation").click()

    # the new mailbox confirms by its link, opened elsewhere (no session needed)
    new_mailbox = app.new_page()
    to_new = app.email_to("max.new@example.org", "Confirm your new")
    new_mailbox.goto(app.link_in(to_new, "/confirm-email-change"))
    expect(new_mailbox.get_by_role("heading", name="Confirm your new email")).to_be_visible()
    expect(new_mailbox.locator("main").get_by_text("Confirming…")).to_have_count(0)

    # the current address confirms by its code, in the session that asked
    by_code = page.locator("#email-change-code")
    by_code.get_by_label("The email that carried it").select_option("old")
    to_old = app.email_to("max@example.com", "about to change")
    by_code.get_by_label("Code from the email").fill(app.code_in(to_old))
    by_code.get_by_role("button", name="Confirm the change").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()

    log_in_by_password(page, "max.new@example.org")
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    nav(page, "Account")
    expect(page.get_by_text("Signed in as max.new@example.org")).to_be_visible()
    app.email_to("max@example.com", "was changed")  # the old address is told


def test_delete_the_account_then_its_password_no_longer_logs_in(app):
    page = app.new_page()
    signed_up(app, page, "ida@example.com", "Ida")
    nav(page, "Account")
    page.once("dialog", lambda dialog: dialog.accept())
    delete = page.locator("#delete-account")
    delete.get_by_label("Password").fill(PASSWORD)
    delete.get_by_role("button", name="Delete my account").click()
    expect(page.get_by_text("Your account is deleted.")).to_be_visible()

    log_in_by_password(page, "ida@example.com")
    expect(page.locator("#login-password").get_by_role("alert")).to_be_visible()
    expect(page.get_by_role("heading", name="Dashboard")).to_have_count(0)


def test_reset_the_password_by_typing_the_emailed_code(app):
    page = app.new_page()
    signed_up(app, page, "lea@example.com", "Lea")
    page.get_by_role("button", name="Log out").click()
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("Email").fill("lea@example.com")
    page.get_by_role("button", name="Email me a reset link").click()
    by_code = page.locator("#reset-password")
    expect(by_code.get_by_label("Email")).to_have_value("lea@example.com")
    by_code.get_by_label("6-digit code").fill(app.code_in(app.email_to("lea@example.com", "Reset")))
    by_code.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    by_code.get_by_label("Repeat the new password").fill(NEW_PASSWORD)
    by_code.get_by_role("button", name="Set the new password").click()
    expect(page.get_by_text("Your password is changed and every session is signed out.")).to_be_visible()
    log_in_by_password(page, "lea@example.com", NEW_PASSWORD)
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()


def test_log_in_with_a_recovery_code_when_the_authenticator_is_lost_and_it_works_once(app):
    page = app.new_page()
    signed_up(app, page, "ola@example.com", "Ola")
    _secret, codes = enrol_authenticator(page)
    for attempt in range(2):
        page.get_by_role("button", name="Log out").click()
        log_in_by_password(page, "ola@example.com")
        expect(page.get_by_role("heading", name="Two-step verification")).to_be_visible()
        recovery = page.locator("#mfa-recovery")
        recovery.get_by_label("Recovery code").fill(codes[0])
        recovery.get_by_role("button", name="Use a recovery code").click()
        if attempt == 0:
            expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    expect(page.locator("#mfa-recovery").get_by_role("alert")).to_be_visible()  # a used code is refused
    expect(page.get_by_role("heading", name="Dashboard")).to_have_count(0)
