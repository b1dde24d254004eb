"""A payment settles its occurrence in full; a paid occurrence cannot come back by re-dating the bill."""

import pytest

from apps.bills.models import BillPayment
from apps.households.models import Role
from apps.households.tests.factories import household_with

pytestmark = pytest.mark.django_db
BILLS = "/api/v1/bills/"


@pytest.fixture
def household(user):
    return household_with(user, Role.MEMBER, currency="EUR")


def create(client, household, **fields):
    body = {"household": household.id, "name": "Power", "amount": "10.00", "due_date": "2026-11-20", **fields}
    response = client.post(BILLS, body, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def test_paying_less_than_the_bill_is_refused_and_leaves_it_unpaid(auth_client, household):
    bill = create(auth_client, household)
    response = auth_client.post(f"{BILLS}{bill['id']}/pay/", {"amount": "5"}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "amount": [
            (
                "Partial payments are not recorded: this occurrence is 10.00 EUR. "
                "Change the bill's amount first if less is owed."
            )
        ]
    }
    assert auth_client.get(f"{BILLS}{bill['id']}/").json()["is_paid"] is False
    assert not BillPayment.objects.exists()


def test_a_smaller_amount_is_paid_after_changing_the_bill(auth_client, household):
    bill = create(auth_client, household)
    assert auth_client.patch(f"{BILLS}{bill['id']}/", {"amount": "5"}, format="json").status_code == 200
    response = auth_client.post(f"{BILLS}{bill['id']}/pay/", {"amount": "5"}, format="json")
    assert response.status_code == 201
    assert response.json()["bill"]["is_paid"] is True


def test_paying_more_than_the_bill_is_recorded(auth_client, household):
    bill = create(auth_client, household)
    response = auth_client.post(f"{BILLS}{bill['id']}/pay/", {"amount": "12.50"}, format="json")
    assert response.status_code == 201
    assert response.json()["payment"]["amount"] == "12.50"


def test_re_dating_a_monthly_bill_onto_a_paid_month_is_409(auth_client, household):
    bill = create(auth_client, household, recurrence="monthly")
    url = f"{BILLS}{bill['id']}/"
    paid = auth_client.post(f"{url}pay/", {}, format="json").json()
    assert paid["bill"]["due_date"] == "2026-12-20"
    response = auth_client.patch(url, {"due_date": "2026-11-20"}, format="json")
    assert response.status_code == 409
    assert response.json() == {
        "error": "The occurrence due on 2026-11-20 is already paid; choose another due date.",
        "code": "occurrence_paid",
    }
    assert auth_client.get(url).json()["due_date"] == "2026-12-20"
    assert auth_client.patch(url, {"due_date": "2026-12-05"}, format="json").status_code == 200
