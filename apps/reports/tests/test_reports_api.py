import csv
import io
from datetime import UTC, datetime

import pytest
from rest_framework.test import APIClient

from apps.households.models import Role
from apps.households.tests.factories import household_with
from apps.notifications.models import Notification
from apps.reports.models import Report
from apps.users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
REPORTS = "/api/v1/reports/"


@pytest.fixture
def household(user, clock):
    clock.set_now(datetime(2025, 3, 20, 12, 0, tzinfo=UTC))
    return household_with(user, Role.MEMBER, time_zone="Europe/Berlin", currency="EUR")


def request_report(client, home, **overrides):
    body = {
        "household": home.id,
        "kind": "summary",
        "period_start": "2025-03-01",
        "period_end": "2025-03-31",
    }
    return client.post(REPORTS, {**body, **overrides}, format="json")


def rows_of(client, report_id) -> list[dict]:
    response = client.get(f"{REPORTS}{report_id}/download/")
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment;" in response["Content-Disposition"]
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def seed(client, household):
    def post(url, body):
        response = client.post(url, body, format="json")
        assert response.status_code == 201, response.content
        return response.json()

    rent = post(
        "/api/v1/bills/",
        {
            "household": household.id,
            "name": "Rent",
            "amount": "900",
            "due_date": "2025-02-28",
            "recurrence": "monthly",
            "payee": "Landlord",
        },
    )
    post(f"/api/v1/bills/{rent['id']}/pay/", {"paid_on": "2025-03-01"})  # February's rent, paid in March
    post(f"/api/v1/bills/{rent['id']}/pay/", {"paid_on": "2025-03-05"})  # March's rent (due the 28th)
    post(
        "/api/v1/bills/",
        {"household": household.id, "name": "Water", "amount": "30.5", "due_date": "2025-03-10"},
    )
    post(
        "/api/v1/bills/",
        {
            "household": household.id,
            "name": "Gym",
            "amount": "10",
            "due_date": "2025-03-24",
            "recurrence": "weekly",
        },
    )
    post(
        "/api/v1/bills/",
        {
            "household": household.id,
            "name": '=HYPERLINK("http://x")',
            "amount": "1",
            "due_date": "2025-04-02",
        },
    )
    goal = post("/api/v1/goals/", {"household": household.id, "name": "Bike", "target_amount": "400"})
    post(f"/api/v1/goals/{goal['id']}/contributions/", {"amount": "50", "contributed_on": "2025-02-10"})
    post(f"/api/v1/goals/{goal['id']}/contributions/", {"amount": "150", "contributed_on": "2025-03-15"})


def test_summary_report_is_built_and_downloadable(auth_client, household):
    seed(auth_client, household)
    response = request_report(auth_client, household)
    assert response.status_code == 202, response.content
    report_id = response.json()["id"]
    assert response.json()["status"] in {"pending", "succeeded"}

    detail = auth_client.get(f"{REPORTS}{report_id}/").json()
    assert (detail["status"], detail["progress"], detail["failure_reason"]) == ("succeeded", 100, "")
    assert detail["download_url"].endswith(f"{REPORTS}{report_id}/download/")

    rows = rows_of(auth_client, report_id)
    assert detail["row_count"] == len(rows)
    bill_due = [(r["name"], r["date"], r["status"], r["amount"]) for r in rows if r["section"] == "bill_due"]
    # grouped per bill (bills by their current due date): Rent, paid twice, is now due on April 28
    assert bill_due == [
        ("Water", "2025-03-10", "overdue", "30.50"),
        ("Gym", "2025-03-24", "unpaid", "10.00"),
        ("Gym", "2025-03-31", "upcoming", "10.00"),
        ("Rent", "2025-03-28", "paid", "900.00"),
    ]
    payments = [(r["name"], r["paid_on"], r["due_date"]) for r in rows if r["section"] == "payment"]
    assert payments == [("Rent", "2025-03-01", "2025-02-28"), ("Rent", "2025-03-05", "2025-03-28")]
    [goal] = [r for r in rows if r["section"] == "goal"]
    assert (
        goal["name"],
        goal["amount"],
        goal["contributed_in_period"],
        goal["progress_percent"],
        goal["status"],
    ) == (
        "Bike",
        "200.00",
        "150.00",
        "50.00",
        "in_progress",
    )
    assert all(r["currency"] == "EUR" for r in rows)


def test_formula_like_names_are_defused_in_the_csv(auth_client, household):
    seed(auth_client, household)
    report_id = request_report(auth_client, household, period_end="2025-04-30").json()["id"]
    names = {r["name"] for r in rows_of(auth_client, report_id)}
    assert '\'=HYPERLINK("http://x")' in names
    assert not any(name.startswith("=") for name in names)


def test_kinds_choose_the_sections(auth_client, household):
    seed(auth_client, household)
    bills = rows_of(auth_client, request_report(auth_client, household, kind="bills").json()["id"])
    goals = rows_of(auth_client, request_report(auth_client, household, kind="goals").json()["id"])
    assert {r["section"] for r in bills} == {"bill_due", "payment"}
    assert {r["section"] for r in goals} == {"goal"}


def test_requester_is_notified_in_app_when_the_report_is_ready(auth_client, user, household):
    report_id = request_report(auth_client, household).json()["id"]
    notification = Notification.objects.get(user=user, kind="report_ready")
    assert notification.link == f"/reports/{report_id}"


def test_too_large_report_fails_with_a_reason(auth_client, household, settings):
    settings.REPORT_MAX_ROWS = 2
    seed(auth_client, household)
    report_id = request_report(auth_client, household).json()["id"]
    detail = auth_client.get(f"{REPORTS}{report_id}/").json()
    assert detail["status"] == "failed"
    assert "more than 2 rows" in detail["failure_reason"]
    assert detail["download_url"] is None
    response = auth_client.get(f"{REPORTS}{report_id}/download/")
    assert response.status_code == 409
    assert response.json()["code"] == "report_not_ready"


def test_pending_report_is_not_downloadable_yet(user, password, household):
    client = APIClient()  # does not run on-commit callbacks: the generation task is never queued
    login = client.post("/api/v1/auth/login/", {"email": user.email, "password": password}, format="json")
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {login.data['access']}")
    response = request_report(client, household)
    assert (response.status_code, response.json()["status"], response.json()["progress"]) == (
        202,
        "pending",
        0,
    )
    assert client.get(f"{REPORTS}{response.json()['id']}/download/").status_code == 409


def test_non_member_gets_404_for_another_households_report(auth_client, client_for, household):
    report_id = request_report(auth_client, household).json()["id"]
    outsider = client_for(UserFactory())
    assert outsider.get(f"{REPORTS}{report_id}/").status_code == 404
    assert outsider.get(f"{REPORTS}{report_id}/download/").status_code == 404
    assert outsider.get(REPORTS).json()["count"] == 0
    assert outsider.get(REPORTS, {"household": household.id}).json()["count"] == 0


def test_a_viewer_may_request_and_read_reports(client_for, household):
    viewer = UserFactory()
    household.memberships.create(user=viewer, role=Role.VIEWER)
    client = client_for(viewer)
    report_id = request_report(client, household).json()["id"]
    assert client.get(f"{REPORTS}{report_id}/download/").status_code == 200


def test_a_removed_member_loses_access(auth_client, client_for, household):
    member = UserFactory()
    household.memberships.create(user=member, role=Role.MEMBER)
    client = client_for(member)
    report_id = request_report(client, household).json()["id"]
    household.memberships.filter(user=member).delete()
    assert client.get(f"{REPORTS}{report_id}/download/").status_code == 404
    assert auth_client.get(f"{REPORTS}{report_id}/download/").status_code == 200


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"period_end": "2025-02-01"}, "period_end"),
        ({"period_start": "2020-01-01", "period_end": "2025-12-31"}, "period_end"),
        ({"period_start": "2025-02-30"}, "period_start"),
        ({"period_start": 20250101}, "period_start"),
        ({"period_end": None}, "period_end"),
        ({"kind": "everything"}, "kind"),
        ({"household": "mine"}, "household"),
        ({"household": 10**30}, "household"),
        ({"household": 999999}, "household"),
    ],
)
def test_bad_report_requests_are_400_and_create_nothing(auth_client, household, overrides, field):
    response = request_report(auth_client, household, **overrides)
    assert response.status_code == 400
    assert field in response.json()
    assert not Report.objects.exists()


def test_report_for_a_foreign_household_is_refused_like_an_unknown_one(auth_client):
    foreign = household_with(UserFactory())
    response = request_report(auth_client, foreign)
    assert response.status_code == 400
    assert response.json()["household"] == ["Household not found."]


def test_report_list_is_paginated_and_filterable(auth_client, user, household):
    other = household_with(user, Role.OWNER)
    for _ in range(3):
        request_report(auth_client, household)
    request_report(auth_client, other)
    assert auth_client.get(REPORTS).json()["count"] == 4
    assert auth_client.get(REPORTS, {"household": household.id}).json()["count"] == 3
    assert auth_client.get(REPORTS, {"status": "succeeded", "page_size": 1}).json()["count"] == 4
    assert auth_client.get(REPORTS, {"status": "exploded"}).status_code == 400


def test_report_requests_are_rate_limited(auth_client, household, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "report_request_user": "2/h"}
    assert request_report(auth_client, household).status_code == 202
    assert request_report(auth_client, household).status_code == 202
    assert request_report(auth_client, household).status_code == 429
    assert auth_client.get(REPORTS).status_code == 200


def test_a_report_requested_while_the_broker_is_down_fails_with_a_reason(broker_down, auth_client, household):
    response = request_report(auth_client, household)
    assert response.status_code == 202, response.content
    detail = auth_client.get(f"{REPORTS}{response.json()['id']}/").json()
    assert detail["status"] == "failed"
    assert "could not be queued" in detail["failure_reason"]
