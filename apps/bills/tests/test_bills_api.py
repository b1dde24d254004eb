import pytest

from apps.bills.models import Bill
from apps.bills.tests.factories import BillFactory
from apps.households.models import Role
from apps.households.tests.factories import household_with
from apps.users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
BILLS = "/api/v1/bills/"


@pytest.fixture
def household(user):
    return household_with(user, Role.MEMBER, currency="EUR")


def new_bill(home, **overrides):
    return {
        "household": home.id,
        "name": "Rent",
        "amount": "1200.00",
        "due_date": "2025-01-31",
        "recurrence": "monthly",
        **overrides,
    }


def test_member_creates_a_bill_with_money_as_a_decimal_string(auth_client, household):
    response = auth_client.post(BILLS, new_bill(household, amount=1200.5, payee="Landlord"), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["amount"] == "1200.50"
    assert body["currency"] == "EUR"  # the household's default
    assert (body["household"], body["recurrence"], body["payee"], body["is_paid"]) == (
        household.id,
        "monthly",
        "Landlord",
        False,
    )
    assert auth_client.get(f"{BILLS}{body['id']}/").json() == body


def test_list_is_paginated_and_filterable_by_household(auth_client, user, household):
    other = household_with(user, Role.OWNER)
    BillFactory.create_batch(3, household=household)
    BillFactory(household=other)
    BillFactory()  # someone else's
    everything = auth_client.get(BILLS).json()
    assert everything["count"] == 4
    assert auth_client.get(BILLS, {"household": household.id}).json()["count"] == 3
    page = auth_client.get(BILLS, {"page_size": 2}).json()
    assert (len(page["results"]), page["next"] is not None) == (2, True)


def test_list_filters_reject_bad_values(auth_client):
    for params in (
        {"household": "abc"},
        {"household": 10**30},
        {"is_paid": "maybe"},
        {"due_from": "31/01/2025"},
    ):
        response = auth_client.get(BILLS, params)
        assert response.status_code == 400, params
        assert set(response.json()) <= {"household", "is_paid", "due_from"}


def test_foreign_household_filter_gives_an_empty_list(auth_client):
    foreign = BillFactory()
    assert auth_client.get(BILLS, {"household": foreign.household_id}).json()["count"] == 0


def test_non_member_gets_404_for_another_households_bill(auth_client):
    bill = BillFactory()
    url = f"{BILLS}{bill.id}/"
    assert auth_client.get(url).status_code == 404
    assert auth_client.patch(url, {"name": "mine"}, format="json").status_code == 404
    assert auth_client.delete(url).status_code == 404
    assert auth_client.post(f"{url}pay/", {}, format="json").status_code == 404
    assert auth_client.get(f"{url}payments/").status_code == 404
    assert Bill.objects.get(id=bill.id).name == bill.name


def test_cannot_create_a_bill_in_a_household_you_are_not_in(auth_client):
    foreign = household_with(UserFactory())
    for household_id in (foreign.id, 987654, "x", None, 10**30, -1, 1.5):
        response = auth_client.post(BILLS, {**new_bill(foreign), "household": household_id}, format="json")
        assert response.status_code == 400
        assert "household" in response.json()
    assert not Bill.objects.exists()


def test_viewer_can_read_but_not_write(client_for):
    viewer = UserFactory()
    household = household_with(viewer, Role.VIEWER)
    bill = BillFactory(household=household)
    client = client_for(viewer)
    assert client.get(f"{BILLS}{bill.id}/").status_code == 200
    assert client.get(BILLS).json()["count"] == 1
    for response in (
        client.post(BILLS, new_bill(household), format="json"),
        client.patch(f"{BILLS}{bill.id}/", {"name": "x"}, format="json"),
        client.delete(f"{BILLS}{bill.id}/"),
        client.post(f"{BILLS}{bill.id}/pay/", {}, format="json"),
    ):
        assert response.status_code == 403
        assert response.json()["code"] == "read_only"
    assert Bill.objects.filter(household=household).count() == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"amount": "-5"}, "amount"),
        ({"amount": "0"}, "amount"),
        ({"amount": "abc"}, "amount"),
        ({"amount": "NaN"}, "amount"),
        ({"amount": "Infinity"}, "amount"),
        ({"amount": "1e30"}, "amount"),
        ({"amount": "99999999999999999999.99"}, "amount"),
        ({"amount": "1.234"}, "amount"),
        ({"amount": [1]}, "amount"),
        ({"currency": "XXX"}, "currency"),
        ({"currency": 978}, "currency"),
        ({"due_date": "2025-02-30"}, "due_date"),
        ({"due_date": "tomorrow"}, "due_date"),
        ({"due_date": "9999-12-31"}, "due_date"),
        ({"due_date": 20250101}, "due_date"),
        ({"recurrence": "daily"}, "recurrence"),
        ({"reminder_days_before": -1}, "reminder_days_before"),
        ({"reminder_days_before": 10**12}, "reminder_days_before"),
        ({"reminder_days_before": "soon"}, "reminder_days_before"),
        ({"name": ""}, "name"),
        ({"name": "n" * 201}, "name"),
        ({"notes": "n" * 2001}, "notes"),
    ],
)
def test_bad_input_is_a_400_field_error_and_creates_nothing(auth_client, household, overrides, field):
    response = auth_client.post(BILLS, new_bill(household, **overrides), format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not Bill.objects.exists()


def test_update_changes_fields_and_moves_the_anchor_day(auth_client, household):
    bill = auth_client.post(BILLS, new_bill(household), format="json").json()
    response = auth_client.patch(
        f"{BILLS}{bill['id']}/", {"due_date": "2025-03-15", "amount": "99.99"}, format="json"
    )
    assert response.status_code == 200
    assert (response.json()["due_date"], response.json()["amount"]) == ("2025-03-15", "99.99")
    paid = auth_client.post(f"{BILLS}{bill['id']}/pay/", {}, format="json").json()
    assert paid["bill"]["due_date"] == "2025-04-15"


def test_bad_update_is_400_and_changes_nothing(auth_client, household):
    bill = BillFactory(household=household)
    response = auth_client.patch(f"{BILLS}{bill.id}/", {"amount": "-1", "name": "ok"}, format="json")
    assert response.status_code == 400
    assert Bill.objects.get(id=bill.id).name == bill.name


def test_delete_removes_the_bill(auth_client, household):
    bill = BillFactory(household=household)
    assert auth_client.delete(f"{BILLS}{bill.id}/").status_code == 204
    assert auth_client.get(f"{BILLS}{bill.id}/").status_code == 404


def test_absurd_ids_are_404(auth_client):
    assert auth_client.get(f"{BILLS}{10**30}/").status_code == 404
    assert auth_client.get(f"{BILLS}0/").status_code == 404


def test_bill_list_has_a_fixed_query_budget(auth_client, household, django_assert_max_num_queries):
    BillFactory.create_batch(30, household=household)
    with django_assert_max_num_queries(5):
        assert auth_client.get(BILLS).json()["count"] == 30
