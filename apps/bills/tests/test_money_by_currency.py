"""Amounts follow their currency's ISO 4217 minor unit (JPY 0, EUR 2, KWD 3) in the API, emails and CSV."""

import csv
import io
from datetime import UTC, date, datetime

import pytest

from apps.bills.tasks import send_bill_reminders
from apps.bills.tests.factories import BillFactory
from apps.common.currencies import minor_units
from apps.households.models import Role
from apps.households.tests.factories import household_with

pytestmark = pytest.mark.django_db
BILLS = "/api/v1/bills/"


@pytest.fixture
def household(user):
    return household_with(user, Role.OWNER, currency="EUR")


def create_bill(client, household, **fields):
    body = {"household": household.id, "name": "Rent", "amount": "10", "due_date": "2026-12-20", **fields}
    return client.post(BILLS, body, format="json")


def test_minor_units_come_from_the_iso_list():
    assert (minor_units("JPY"), minor_units("EUR"), minor_units("KWD"), minor_units("CLF")) == (0, 2, 3, 4)
    assert minor_units("IQD") == 3  # ISO's figure (CLDR, and so Babel, say 0)


@pytest.mark.parametrize(
    ("currency", "sent", "shown"),
    [("JPY", "1200", "1200"), ("EUR", "12.5", "12.50"), ("KWD", "1.5", "1.500"), ("BHD", "0.125", "0.125")],
)
def test_amounts_are_written_with_the_currency_decimals(auth_client, household, currency, sent, shown):
    response = create_bill(auth_client, household, currency=currency, amount=sent)
    assert response.status_code == 201, response.content
    assert response.json()["amount"] == shown
    paid = auth_client.post(f"{BILLS}{response.json()['id']}/pay/", {}, format="json").json()
    assert paid["payment"]["amount"] == shown


@pytest.mark.parametrize(
    ("currency", "amount", "message"),
    [
        ("JPY", "10.50", "JPY amounts have no decimals."),
        ("EUR", "1.005", "EUR amounts have at most 2 decimals."),
        ("KWD", "1.0005", "KWD amounts have at most 3 decimals."),
    ],
)
def test_more_decimals_than_the_currency_has_is_400(auth_client, household, currency, amount, message):
    response = create_bill(auth_client, household, currency=currency, amount=amount)
    assert response.status_code == 400
    assert response.json() == {"amount": [message]}


def test_trailing_zeros_are_not_extra_decimals(auth_client, household):
    response = create_bill(auth_client, household, currency="JPY", amount="1200.00")
    assert response.status_code == 201
    assert response.json()["amount"] == "1200"


@pytest.mark.parametrize("code", ["XAU", "XTS", "DEM", "ZZZ"])
def test_codes_without_a_minor_unit_or_outside_the_list_are_refused(auth_client, household, code):
    response = create_bill(auth_client, household, currency=code)
    assert response.status_code == 400
    assert "currency" in response.json()


def test_recent_iso_codes_are_accepted(auth_client, household):
    for code in ("XCG", "ZWG", "SLE"):
        assert create_bill(auth_client, household, currency=code).status_code == 201


def test_contributions_and_payments_follow_the_goal_or_bill_currency(auth_client, household):
    goal = auth_client.post(
        "/api/v1/goals/",
        {"household": household.id, "name": "Ski", "target_amount": "50000", "currency": "JPY"},
        format="json",
    ).json()
    url = f"/api/v1/goals/{goal['id']}/contributions/"
    assert auth_client.post(url, {"amount": "0.5"}, format="json").json() == {
        "amount": ["JPY amounts have no decimals."]
    }
    body = auth_client.post(url, {"amount": "12500"}, format="json").json()
    assert (body["contribution"]["amount"], body["goal"]["current_amount"]) == ("12500", "12500")
    bill = create_bill(auth_client, household, currency="KWD", amount="3.250").json()
    response = auth_client.post(f"{BILLS}{bill['id']}/pay/", {"amount": "3.2501"}, format="json")
    assert response.json() == {"amount": ["KWD amounts have at most 3 decimals."]}


def test_changing_a_bill_currency_checks_its_amount(auth_client, household):
    bill = create_bill(auth_client, household, amount="10.50").json()
    response = auth_client.patch(f"{BILLS}{bill['id']}/", {"currency": "JPY"}, format="json")
    assert response.json() == {"amount": ["JPY amounts have no decimals."]}
    response = auth_client.patch(
        f"{BILLS}{bill['id']}/", {"currency": "JPY", "amount": "1500"}, format="json"
    )
    assert (response.json()["amount"], response.json()["currency"]) == ("1500", "JPY")


def test_changing_the_household_currency_leaves_existing_bills_and_goals_alone(auth_client, household):
    """Bills and goals carry their own currency, fixed when created; the household's is only the default for
    new ones. Nothing is converted."""
    bill = create_bill(auth_client, household, amount="10.50").json()
    goal = auth_client.post(
        "/api/v1/goals/", {"household": household.id, "name": "Car", "target_amount": "99.99"}, format="json"
    ).json()
    response = auth_client.patch(f"/api/v1/households/{household.id}/", {"currency": "JPY"}, format="json")
    assert (response.status_code, response.json()["currency"]) == (200, "JPY")

    assert auth_client.get(f"{BILLS}{bill['id']}/").json()["amount"] == "10.50"
    assert auth_client.get(f"{BILLS}{bill['id']}/").json()["currency"] == "EUR"
    kept = auth_client.get(f"/api/v1/goals/{goal['id']}/").json()
    assert (kept["target_amount"], kept["currency"]) == ("99.99", "EUR")
    assert create_bill(auth_client, household, amount="10.50").json() == {
        "amount": ["JPY amounts have no decimals."]
    }
    new = create_bill(auth_client, household, amount="1000").json()
    assert (new["amount"], new["currency"]) == ("1000", "JPY")


def test_reminder_emails_write_amounts_with_the_currency_decimals(
    user, mailoutbox, django_capture_on_commit_callbacks
):
    home = household_with(user, Role.OWNER, name="Tokyo flat")
    BillFactory(household=home, name="Gas", amount="4500", currency="JPY", due_date=date(2025, 3, 12))
    BillFactory(household=home, name="Water", amount="2.5", currency="KWD", due_date=date(2025, 3, 12))
    with django_capture_on_commit_callbacks(execute=True):
        send_bill_reminders.apply(kwargs={"at": datetime(2025, 3, 10, 11, 0, tzinfo=UTC).isoformat()}).get()
    bodies = sorted(m.body for m in mailoutbox)
    assert any("Gas in Tokyo flat: 4500 JPY, due on 2025-03-12." in b for b in bodies)
    assert any("Water in Tokyo flat: 2.500 KWD, due on 2025-03-12." in b for b in bodies)


def test_csv_amounts_use_the_currency_decimals(auth_client, household, clock):
    clock.set_now(datetime(2025, 3, 20, 12, 0, tzinfo=UTC))
    for currency, amount in (("JPY", "4500"), ("KWD", "2.5"), ("EUR", "7")):
        response = create_bill(
            auth_client, household, currency=currency, amount=amount, due_date="2025-03-25"
        )
        assert response.status_code == 201, response.content
    report = auth_client.post(
        "/api/v1/reports/",
        {
            "household": household.id,
            "kind": "bills",
            "period_start": "2025-03-01",
            "period_end": "2025-03-31",
        },
        format="json",
    ).json()
    content = auth_client.get(f"/api/v1/reports/{report['id']}/download/").content.decode()
    amounts = {r["currency"]: r["amount"] for r in csv.DictReader(io.StringIO(content))}
    assert amounts == {"JPY": "4500", "KWD": "2.500", "EUR": "7.00"}
