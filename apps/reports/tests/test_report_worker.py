"""A report built by a real Celery worker (real Redis broker), polled and downloaded through the API."""

import csv
import io

import pytest

from apps.households.models import Role
from apps.households.tests.factories import household_with
from tests.support import wait_until

pytestmark = pytest.mark.requires_services


def test_real_worker_builds_a_report_that_downloads_as_csv(celery_worker, auth_client, user):
    household = household_with(user, Role.OWNER, currency="CHF")
    bill = auth_client.post(
        "/api/v1/bills/",
        {"household": household.id, "name": "Insurance", "amount": "120.40", "due_date": "2025-05-15"},
        format="json",
    ).json()
    paid = auth_client.post(f"/api/v1/bills/{bill['id']}/pay/", {"paid_on": "2025-05-14"}, format="json")
    assert paid.status_code == 201

    response = auth_client.post(
        "/api/v1/reports/",
        {
            "household": household.id,
            "kind": "bills",
            "period_start": "2025-05-01",
            "period_end": "2025-05-31",
        },
        format="json",
    )
    assert response.status_code == 202
    report_id = response.json()["id"]

    detail = wait_until(
        lambda: (
            (body := auth_client.get(f"/api/v1/reports/{report_id}/").json())["status"]
            in {"succeeded", "failed"}
            and body
        ),
        timeout=30,
        message="the worker to finish the report",
    )
    assert (detail["status"], detail["progress"]) == ("succeeded", 100), detail

    download = auth_client.get(detail["download_url"])
    assert download.status_code == 200
    rows = list(csv.DictReader(io.StringIO(download.content.decode())))
    assert [
        (r["section"], r["name"], r["status"], r["amount"], r["currency"], r["paid_on"]) for r in rows
    ] == [
        ("bill_due", "Insurance", "paid", "120.40", "CHF", "2025-05-14"),
        ("payment", "Insurance", "paid", "120.40", "CHF", "2025-05-14"),
    ]
