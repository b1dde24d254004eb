from datetime import date

import pytest

from apps.bills.tests.factories import BillFactory
from apps.households.models import Role
from apps.households.tests.factories import household_with

pytestmark = pytest.mark.django_db
BILLS = "/api/v1/bills/"


@pytest.fixture
def household(user):
    return household_with(user, Role.MEMBER)


def pay(client, bill, **body):
    return client.post(f"{BILLS}{bill['id']}/pay/", body, format="json")


def create(client, household, due_date, recurrence):
    body = {
        "household": household.id,
        "name": "B",
        "amount": "10",
        "due_date": due_date,
        "recurrence": recurrence,
    }
    response = client.post(BILLS, body, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def test_monthly_bill_paid_repeatedly_walks_month_ends_through_a_leap_year(auth_client, household):
    bill = create(auth_client, household, "2024-01-31", "monthly")
    seen = []
    for _ in range(4):
        response = pay(auth_client, bill)
        assert response.status_code == 201, response.content
        seen.append(response.json()["bill"]["due_date"])
    assert seen == ["2024-02-29", "2024-03-31", "2024-04-30", "2024-05-31"]


def test_monthly_bill_on_the_31st_in_a_common_year_goes_to_february_28th(auth_client, household):
    bill = create(auth_client, household, "2025-01-31", "monthly")
    assert pay(auth_client, bill).json()["bill"]["due_date"] == "2025-02-28"


def test_yearly_leap_day_bill_rolls_to_february_28th(auth_client, household):
    bill = create(auth_client, household, "2024-02-29", "yearly")
    assert pay(auth_client, bill).json()["bill"]["due_date"] == "2025-02-28"


def test_weekly_bill_rolls_seven_days(auth_client, household):
    bill = create(auth_client, household, "2025-12-29", "weekly")
    assert pay(auth_client, bill).json()["bill"]["due_date"] == "2026-01-05"


def test_one_off_bill_becomes_paid_and_cannot_be_paid_twice(auth_client, household):
    bill = create(auth_client, household, "2025-01-10", "none")
    body = pay(auth_client, bill, amount="10.99", paid_on="2025-01-09", note="cash").json()
    assert body["bill"]["is_paid"] is True
    assert body["bill"]["due_date"] == "2025-01-10"
    assert (body["payment"]["amount"], body["payment"]["paid_on"], body["payment"]["due_date"]) == (
        "10.99",
        "2025-01-09",
        "2025-01-10",
    )
    again = pay(auth_client, bill)
    assert again.status_code == 409
    assert again.json()["code"] == "already_paid"


def test_naming_the_occurrence_makes_a_double_click_harmless(auth_client, household):
    bill = create(auth_client, household, "2025-01-31", "monthly")
    assert pay(auth_client, bill, due_date="2025-01-31").status_code == 201
    again = pay(auth_client, bill, due_date="2025-01-31")
    assert again.status_code == 409
    assert again.json()["code"] == "occurrence_mismatch"
    assert auth_client.get(f"{BILLS}{bill['id']}/payments/").json()["count"] == 1


def test_payment_history_lists_every_payment_newest_first(auth_client, household):
    bill = create(auth_client, household, "2025-01-15", "monthly")
    for paid_on in ("2025-01-14", "2025-02-14", "2025-03-16"):
        pay(auth_client, bill, paid_on=paid_on)
    history = auth_client.get(f"{BILLS}{bill['id']}/payments/").json()
    assert history["count"] == 3
    assert [p["due_date"] for p in history["results"]] == ["2025-03-15", "2025-02-15", "2025-01-15"]
    assert all(p["amount"] == "10.00" for p in history["results"])


def test_bad_payment_input_is_400(auth_client, household):
    bill = create(auth_client, household, "2025-01-15", "monthly")
    for body in ({"amount": "-1"}, {"paid_on": "2999-01-01"}, {"paid_on": "yesterday"}, {"amount": "1e20"}):
        response = pay(auth_client, bill, **body)
        assert response.status_code == 400, body
    assert auth_client.get(f"{BILLS}{bill['id']}/payments/").json()["count"] == 0


def test_paid_one_off_bill_keeps_its_due_date(auth_client, household):
    bill = create(auth_client, household, "2025-01-10", "none")
    pay(auth_client, bill)
    response = auth_client.patch(f"{BILLS}{bill['id']}/", {"due_date": "2025-02-10"}, format="json")
    assert response.status_code == 409


def test_paying_moves_the_reminder_window_with_the_due_date(auth_client, household):
    bill = BillFactory(household=household, due_date=date(2025, 1, 31), recurrence="monthly")
    pay(auth_client, {"id": bill.id})
    bill.refresh_from_db()
    assert (bill.due_date.isoformat(), bill.remind_from.isoformat()) == ("2025-02-28", "2025-02-25")
