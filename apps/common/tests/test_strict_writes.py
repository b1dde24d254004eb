"""Strict writes: a field a write does not accept is a 400 naming it, on every write endpoint; impossible
dates say so."""

import pytest
from drf_spectacular.generators import SchemaGenerator

from apps.bills.tests.factories import BillFactory
from apps.common.serializers import StrictFieldsMixin
from apps.goals.tests.factories import GoalFactory
from apps.households.models import Role
from apps.households.tests.factories import household_with

pytestmark = pytest.mark.django_db


def request_serializers() -> dict[str, type]:
    """{"POST /path": serializer class} for every operation with a request body, as the schema has it."""
    generator = SchemaGenerator()
    schema = generator.get_schema(request=None, public=True)
    by_ref = {
        f"#/components/schemas/{component.name}": component.object
        for component in generator.registry._components.values()
        if component.type == "schemas"
    }
    found = {}
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            content = operation.get("requestBody", {}).get("content", {})
            for media in content.values():
                ref = media["schema"].get("$ref")
                if ref:
                    serializer = by_ref[ref]
                    found[f"{method.upper()} {path}"] = (
                        serializer if isinstance(serializer, type) else type(serializer)
                    )
    return found


def test_every_request_body_goes_through_the_strict_base():
    serializers = request_serializers()
    assert len(serializers) > 25  # the walk found the API
    assert "PATCH /api/v1/auth/me/" in serializers
    loose = sorted(
        f"{operation}: {serializer.__name__}"
        for operation, serializer in serializers.items()
        if not issubclass(serializer, StrictFieldsMixin)
    )
    assert loose == []


@pytest.fixture
def household(user):
    return household_with(user, Role.OWNER, currency="EUR")


def test_me_patch_names_email_and_is_staff_and_changes_nothing(auth_client, user):
    response = auth_client.patch(
        "/api/v1/auth/me/", {"first_name": "Ada", "email": "x@example.com", "is_staff": True}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"email", "is_staff"}
    assert "cannot be written" in body["email"][0]
    user.refresh_from_db()
    assert (user.first_name, user.email, user.is_staff) != ("Ada", "x@example.com", True)
    assert not user.is_staff


def test_bill_patch_with_household_is_400_naming_it(auth_client, household, user):
    other = household_with(user, Role.OWNER)
    bill = BillFactory(household=household)
    response = auth_client.patch(
        f"/api/v1/bills/{bill.id}/", {"household": other.id, "name": "Moved"}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["household"]
    bill.refresh_from_db()
    assert (bill.household_id, bill.name) == (household.id, bill.name)


def test_goal_patch_with_current_amount_is_400_naming_it(auth_client, household):
    goal = GoalFactory(household=household, currency="EUR")
    response = auth_client.patch(f"/api/v1/goals/{goal.id}/", {"current_amount": "999"}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["current_amount"]
    goal.refresh_from_db()
    assert goal.current_amount == 0


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/v1/households/", {"name": "Home", "owner": 1}),
        ("/api/v1/auth/login/", {"email": "a@example.com", "password": "x", "remember": True}),
        ("/api/v1/notifications/read-all/", {"household": None, "kind": "x"}),
    ],
)
def test_unknown_fields_are_named_on_create_and_action_endpoints(auth_client, path, body):
    response = auth_client.post(path, body, format="json")
    assert response.status_code == 400
    extra = {"/api/v1/households/": "owner", "/api/v1/auth/login/": "remember"}.get(path, "kind")
    assert extra in response.json()


@pytest.mark.parametrize("day", ["2026-02-30", "2025-02-29", "2026-04-31", "2026-13-01", "2026-00-10"])
def test_an_impossible_date_says_no_such_date(auth_client, household, day):
    response = auth_client.post(
        "/api/v1/bills/",
        {"household": household.id, "name": "Rent", "amount": "10", "due_date": day},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"due_date": [f"No such date: {day}."]}


def test_a_malformed_date_is_still_a_format_error(auth_client, household):
    response = auth_client.post(
        "/api/v1/bills/",
        {"household": household.id, "name": "Rent", "amount": "10", "due_date": "30/02/2026"},
        format="json",
    )
    assert response.status_code == 400
    assert "format" in response.json()["due_date"][0]
