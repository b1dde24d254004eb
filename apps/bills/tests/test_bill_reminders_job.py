"""The daily reminder job: who gets reminded, when (in the household's time zone), and exactly once."""

from datetime import UTC, date, datetime

import pytest

from apps.bills.models import BillReminder
from apps.bills.tasks import send_bill_reminders
from apps.bills.tests.factories import BillFactory
from apps.emails.models import EmailOutbox
from apps.households.models import Role
from apps.households.tests.factories import MembershipFactory, household_with
from apps.notifications.models import Notification
from apps.users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# 2025-03-10 11:00 UTC: already Tuesday 2025-03-11 00:00 in Auckland (UTC+13), still Monday 04:00 in LA.
AT = datetime(2025, 3, 10, 11, 0, tzinfo=UTC)


def run(at=AT):
    return send_bill_reminders.apply(kwargs={"at": at.isoformat()}).get()


@pytest.fixture
def member():
    return UserFactory(first_name="Mia", email="mia@example.com")


def test_bill_due_tomorrow_where_the_household_lives_is_reminded(
    member, mailoutbox, django_capture_on_commit_callbacks
):
    auckland = household_with(member, Role.MEMBER, time_zone="Pacific/Auckland", name="Kiwi House")
    bill = BillFactory(
        household=auckland,
        name="Power",
        amount="80.25",
        currency="NZD",
        due_date=date(2025, 3, 12),
        reminder_days_before=1,
        payee="PowerCo",
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert run() == {"chunks": 1, "sent": 2}  # the member and the household's owner

    notification = Notification.objects.get(user=member)
    assert (notification.kind, notification.title, notification.link) == (
        "bill_reminder",
        "Power is due tomorrow",
        f"/bills/{bill.id}",
    )
    [email] = [m for m in mailoutbox if m.to == ["mia@example.com"]]
    assert email.subject == "Bill reminder: a bill is due soon"
    assert "Power to PowerCo in Kiwi House: 80.25 NZD, due on 2025-03-12." in email.body
    assert f"/bills/{bill.id}" in email.body
    assert "<strong>80.25 NZD</strong>" in email.alternatives[0][0]


def test_the_same_bill_in_los_angeles_is_not_due_for_a_reminder_yet(member):
    los_angeles = household_with(member, Role.MEMBER, time_zone="America/Los_Angeles")
    BillFactory(household=los_angeles, due_date=date(2025, 3, 12), reminder_days_before=1)
    assert run()["sent"] == 0
    assert not Notification.objects.exists()
    # ... until it is the 11th in Los Angeles (08:00 UTC on the 11th is 01:00 PDT)
    assert run(datetime(2025, 3, 11, 8, 0, tzinfo=UTC))["sent"] == 2


def test_reminder_window_runs_from_days_before_until_the_due_date(member):
    home = household_with(member, Role.OWNER)
    BillFactory(household=home, due_date=date(2025, 3, 13), reminder_days_before=3, name="in window")
    BillFactory(household=home, due_date=date(2025, 3, 10), reminder_days_before=0, name="due today")
    BillFactory(household=home, due_date=date(2025, 3, 14), reminder_days_before=3, name="too early")
    BillFactory(household=home, due_date=date(2025, 3, 9), reminder_days_before=3, name="overdue")
    run()
    assert sorted(Notification.objects.values_list("title", flat=True)) == [
        "due today is due today",
        "in window is due in 3 days",
    ]


def test_paid_bills_viewers_and_inactive_users_get_nothing(member):
    home = household_with(member, Role.OWNER)
    MembershipFactory(household=home, role=Role.VIEWER)
    MembershipFactory(household=home, user=UserFactory(is_active=False), role=Role.MEMBER)
    BillFactory(household=home, due_date=date(2025, 3, 11), is_paid=True)
    BillFactory(household=home, due_date=date(2025, 3, 11))
    run()
    assert list(Notification.objects.values_list("user_id", flat=True)) == [member.id]


def test_running_twice_reminds_once(member, mailoutbox, django_capture_on_commit_callbacks):
    home = household_with(member, Role.OWNER)
    BillFactory.create_batch(3, household=home, due_date=date(2025, 3, 11))
    with django_capture_on_commit_callbacks(execute=True):
        assert run()["sent"] == 3
        assert run()["sent"] == 0
    assert Notification.objects.count() == 3
    assert EmailOutbox.objects.count() == 3
    assert len(mailoutbox) == 3


def test_next_occurrence_of_a_recurring_bill_is_reminded_again(member, auth_client):
    home = household_with(member, Role.OWNER)
    bill = BillFactory(household=home, due_date=date(2025, 3, 11), recurrence="weekly")
    run()
    bill.due_date, bill.remind_from = date(2025, 3, 18), date(2025, 3, 15)
    bill.save()
    run(datetime(2025, 3, 16, 9, 0, tzinfo=UTC))
    assert sorted(BillReminder.objects.values_list("due_date", flat=True)) == [
        date(2025, 3, 11),
        date(2025, 3, 18),
    ]


def test_preferences_choose_the_channels(member, client_for, mailoutbox, django_capture_on_commit_callbacks):
    no_email, no_in_app = member, UserFactory()
    home = household_with(no_email, Role.OWNER)
    MembershipFactory(household=home, user=no_in_app, role=Role.MEMBER)
    client_for(no_email).patch(
        "/api/v1/notifications/preferences/bill_reminder/", {"email": False}, format="json"
    )
    client_for(no_in_app).patch(
        "/api/v1/notifications/preferences/bill_reminder/", {"in_app": False}, format="json"
    )
    BillFactory(household=home, due_date=date(2025, 3, 11))
    with django_capture_on_commit_callbacks(execute=True):
        run()
    assert list(Notification.objects.values_list("user_id", flat=True)) == [no_email.id]
    assert [m.to for m in mailoutbox] == [[no_in_app.email]]


def test_large_runs_fan_out_into_chunk_tasks(member, settings):
    settings.BILL_REMINDER_CHUNK_SIZE = 4
    home = household_with(member, Role.OWNER)
    BillFactory.create_batch(10, household=home, due_date=date(2025, 3, 11))
    assert run() == {"chunks": 3, "sent": None}
    assert Notification.objects.count() == 10
