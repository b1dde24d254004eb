"""Every unique or check constraint of bills, payments, goals, contributions, households, memberships and
invitations, walked: the requests that would hit it answer 400 or 409 with a code or a named field, never a
500 from an IntegrityError. A new constraint on one of these models fails the walk until it has a case."""

import re
import threading

import pytest
from django.db import connection

from apps.bills.models import Bill, BillPayment
from apps.goals.models import Goal, GoalContribution
from apps.households.models import Household, HouseholdInvite, Membership, Role
from apps.households.tests.factories import household_with
from apps.users.tests.factories import UserFactory

MODELS = (Bill, BillPayment, Goal, GoalContribution, Household, Membership, HouseholdInvite)
TOKEN_RE = re.compile(r"/invites/accept\?token=([A-Za-z0-9_\-]+)")


def model_constraints() -> set[str]:
    names = set()
    for model in MODELS:
        names |= {c.name for c in model._meta.constraints}
        names |= {
            f"{model._meta.db_table}.{f.name}" for f in model._meta.fields if f.unique and not f.primary_key
        }
    return names


def refused(response, *, status: int, code: str | None = None, field: str | None = None) -> None:
    assert response.status_code == status, response.content
    body = response.json()
    if code is not None:
        assert body.get("code") == code, body
    if field is not None:
        assert field in body, body


def parallel(calls) -> list:
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            results[index] = call()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.fixture
def world(client_for):
    owner = UserFactory()
    household = household_with(owner, Role.OWNER, currency="EUR")
    return {"owner": owner, "household": household, "client": client_for(owner), "client_for": client_for}


def new_bill(world, **fields):
    body = {"household": world["household"].id, "name": "Rent", "amount": "10.00", "due_date": "2026-10-20"}
    response = world["client"].post("/api/v1/bills/", {**body, **fields}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def new_goal(world, **fields):
    body = {"household": world["household"].id, "name": "Trip", "target_amount": "100"}
    response = world["client"].post("/api/v1/goals/", {**body, **fields}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def bill_amount_positive(world):
    client = world["client"]
    refused(
        client.post("/api/v1/bills/", {"household": 1, "amount": "0"}, format="json"),
        status=400,
        field="amount",
    )
    bill = new_bill(world)
    refused(
        client.patch(f"/api/v1/bills/{bill['id']}/", {"amount": "-1"}, format="json"),
        status=400,
        field="amount",
    )


def bill_anchor_day(world):
    """The anchor day is the due date's day, so only an impossible date could break it."""
    bill = new_bill(world)
    for day in ("2026-02-30", "2026-01-32"):
        response = world["client"].patch(f"/api/v1/bills/{bill['id']}/", {"due_date": day}, format="json")
        refused(response, status=400, field="due_date")
        assert "No such date" in response.json()["due_date"][0]


def bill_payment_once_per_occurrence(world):
    """The issue's 500: a monthly bill paid for 2026-11-20, re-dated back onto it, paid again."""
    client = world["client"]
    bill = new_bill(world, due_date="2026-11-20", recurrence="monthly")
    url = f"/api/v1/bills/{bill['id']}/"
    assert client.post(f"{url}pay/", {}, format="json").status_code == 201
    refused(client.patch(url, {"due_date": "2026-11-20"}, format="json"), status=409, code="occurrence_paid")
    refused(
        client.post(f"{url}pay/", {"due_date": "2026-11-20"}, format="json"),
        status=409,
        code="occurrence_mismatch",
    )
    results = parallel([lambda: client.post(f"{url}pay/", {"due_date": "2026-12-20"}, format="json")] * 4)
    assert sorted(r.status_code for r in results) == [201, 409, 409, 409]
    assert BillPayment.objects.filter(bill_id=bill["id"]).count() == 2


def bill_payment_amount_positive(world):
    bill = new_bill(world)
    response = world["client"].post(f"/api/v1/bills/{bill['id']}/pay/", {"amount": "0"}, format="json")
    refused(response, status=400, field="amount")


def goal_target_positive(world):
    client = world["client"]
    response = client.post(
        "/api/v1/goals/",
        {"household": world["household"].id, "name": "X", "target_amount": "0"},
        format="json",
    )
    refused(response, status=400, field="target_amount")
    goal = new_goal(world)
    response = client.patch(f"/api/v1/goals/{goal['id']}/", {"target_amount": "0"}, format="json")
    refused(response, status=400, field="target_amount")


def goal_current_not_negative(world):
    """The balance moves only through positive contributions; writing it is a strict-writes 400."""
    goal = new_goal(world)
    response = world["client"].patch(f"/api/v1/goals/{goal['id']}/", {"current_amount": "-5"}, format="json")
    refused(response, status=400, field="current_amount")


def goal_contribution_positive(world):
    goal = new_goal(world)
    for amount in ("0", "-5"):
        response = world["client"].post(
            f"/api/v1/goals/{goal['id']}/contributions/", {"amount": amount}, format="json"
        )
        refused(response, status=400, field="amount")


def _invite(world, email):
    return world["client"].post(
        f"/api/v1/households/{world['household'].id}/invites/",
        {"email": email, "role": "member"},
        format="json",
    )


def invite_one_open_per_email(world):
    """The issue's 500s: eight parallel invitations of one address to one household."""
    results = parallel([lambda: _invite(world, "guest@example.com")] * 8)
    assert {r.status_code for r in results} <= {201, 409}, [r.content for r in results]
    assert (
        HouseholdInvite.objects.filter(
            household=world["household"], email="guest@example.com", accepted_at=None, revoked_at=None
        ).count()
        == 1
    )


def membership_one_per_user(world, mailoutbox):
    guest = UserFactory(email="member@example.com")
    assert _invite(world, "member@example.com").status_code == 201
    token = TOKEN_RE.search(mailoutbox[-1].body).group(1)
    guest_client = world["client_for"](guest)
    results = parallel(
        [lambda: guest_client.post("/api/v1/invites/accept/", {"token": token}, format="json")] * 4
    )
    assert sorted(r.status_code for r in results) == [200, 409, 409, 409]
    assert Membership.objects.filter(household=world["household"], user=guest).count() == 1
    refused(_invite(world, "member@example.com"), status=409, code="already_member")


def invite_token_hash_unique(world):
    """Not reachable by a request: the token is 32 random bytes and only its keyed hash is stored. Two
    invitations get two different hashes."""
    assert _invite(world, "a@example.com").status_code == 201
    assert _invite(world, "b@example.com").status_code == 201
    hashes = list(HouseholdInvite.objects.values_list("token_hash", flat=True))
    assert len(set(hashes)) == len(hashes) == 2


CASES = {
    "bill_amount_positive": bill_amount_positive,
    "bill_anchor_day": bill_anchor_day,
    "bill_payment_once_per_occurrence": bill_payment_once_per_occurrence,
    "bill_payment_amount_positive": bill_payment_amount_positive,
    "goal_target_positive": goal_target_positive,
    "goal_current_not_negative": goal_current_not_negative,
    "goal_contribution_positive": goal_contribution_positive,
    "invite_one_open_per_email": invite_one_open_per_email,
    "membership_one_per_user": membership_one_per_user,
    "household_invite.token_hash": invite_token_hash_unique,
}


def test_every_constraint_of_the_money_models_has_a_case():
    assert set(CASES) == model_constraints()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("name", sorted(CASES))
def test_requests_that_would_break_a_constraint_get_a_4xx(name, world, mailoutbox):
    case = CASES[name]
    if "mailoutbox" in case.__code__.co_varnames[: case.__code__.co_argcount]:
        case(world, mailoutbox)
    else:
        case(world)
