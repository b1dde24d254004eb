"""CSV cells: text columns are always escaped when they start with = + - @ tab CR, whatever they parse as
(OWASP has no exception for numbers); numeric columns come from numeric values."""

import csv
import io
from datetime import UTC, datetime

import pytest

from apps.households.models import Role
from apps.households.tests.factories import household_with

pytestmark = pytest.mark.django_db
# A leading tab or CR cannot reach a name through the API (text fields are trimmed); the CSV escapes them too.
NAMES = ["-2", "-nan1", "+5e3", "-Infinity", "=1+1", "@SUM(A1)", "Rent"]


@pytest.fixture
def household(user, clock):
    clock.set_now(datetime(2025, 3, 20, 12, 0, tzinfo=UTC))
    return household_with(user, Role.OWNER, currency="EUR")


def test_text_cells_starting_like_a_formula_are_quoted_even_when_numeric(auth_client, household):
    for name in NAMES:
        body = {
            "household": household.id,
            "name": name,
            "amount": "3",
            "due_date": "2025-03-25",
            "payee": name,
        }
        response = auth_client.post("/api/v1/bills/", body, format="json")
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
    rows = list(csv.DictReader(io.StringIO(content, newline="")))
    names = sorted(r["name"] for r in rows)
    expected = sorted(name if name == "Rent" else "'" + name for name in NAMES)
    assert names == expected
    assert sorted(r["payee"] for r in rows) == expected
    assert {r["amount"] for r in rows} == {"3.00"}  # a number, unquoted
