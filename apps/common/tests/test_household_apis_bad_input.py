"""Junk in every body and query of the household-scoped API: always a 4xx JSON answer, never a 500."""

import pytest

from apps.bills.tests.factories import BillFactory
from apps.goals.tests.factories import GoalFactory
from apps.households.models import Role
from apps.households.tests.factories import household_with
from apps.notifications.tests.factories import NotificationFactory

pytestmark = pytest.mark.django_db

JUNK_BODIES = [
    [1, 2],
    "text",
    123,
    None,
    {"household": {"id": 1}},
    {"amount": {"$gt": 0}, "due_date": [], "name": None},
    {"role": None, "email": 5, "token": {"a": 1}},
    {"target_amount": "1e999999", "deadline": "0000-00-00"},
    {"period_start": "2025-01-01T00:00:00Z", "period_end": "-1"},
    {"kind": ["summary"], "email": True, "in_app": "yes please"},
    {"amount": "١٢٣"},  # Arabic-Indic digits
    {"name": "\x00", "amount": "12.5\x00"},
]
JUNK_QUERIES = [
    {"household": "1;DROP TABLE bill"},
    {"household": "9" * 40},
    {"page": "-1"},
    {"page_size": "1e9"},
    {"is_paid": "[]", "due_from": "2025-99-99"},
    {"unread": "2"},
    {"status": "%00"},
]


@pytest.fixture
def paths(user):
    home = household_with(user, Role.OWNER)
    bill = BillFactory(household=home)
    goal = GoalFactory(household=home)
    note = NotificationFactory(user=user)
    return {
        "post": [
            "/api/v1/households/",
            f"/api/v1/households/{home.id}/invites/",
            f"/api/v1/households/{home.id}/leave/",
            "/api/v1/invites/accept/",
            "/api/v1/bills/",
            f"/api/v1/bills/{bill.id}/pay/",
            "/api/v1/goals/",
            f"/api/v1/goals/{goal.id}/contributions/",
            f"/api/v1/notifications/{note.id}/read/",
            "/api/v1/notifications/read-all/",
            "/api/v1/reports/",
        ],
        "patch": [
            f"/api/v1/households/{home.id}/",
            f"/api/v1/households/{home.id}/members/{user.id}/",
            f"/api/v1/bills/{bill.id}/",
            f"/api/v1/goals/{goal.id}/",
            "/api/v1/notifications/preferences/bill_reminder/",
        ],
        "get": [
            "/api/v1/households/",
            f"/api/v1/households/{home.id}/members/",
            f"/api/v1/households/{home.id}/invites/",
            "/api/v1/bills/",
            f"/api/v1/bills/{bill.id}/payments/",
            "/api/v1/goals/",
            f"/api/v1/goals/{goal.id}/contributions/",
            "/api/v1/notifications/",
            "/api/v1/reports/",
        ],
    }


def test_junk_bodies_get_a_json_4xx(auth_client, paths, settings):
    settings.RATE_LIMITS = dict.fromkeys(settings.RATE_LIMITS, "1000/m")
    for method in ("post", "patch"):
        for path in paths[method]:
            for body in JUNK_BODIES:
                response = getattr(auth_client, method)(path, body, format="json")
                assert 200 <= response.status_code < 500, (method, path, body, response.content[:300])
                if response.status_code >= 400:
                    assert response.json(), (method, path, body)


def test_junk_queries_get_a_json_answer(auth_client, paths):
    for path in paths["get"]:
        for query in JUNK_QUERIES:
            response = auth_client.get(path, query)
            assert response.status_code in (200, 400, 404), (path, query, response.content[:300])
            response.json()
