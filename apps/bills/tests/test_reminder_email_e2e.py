"""End to end: beat's task message → real worker → reminder job → outbox → worker → real SMTP server."""

from datetime import UTC, date, datetime

import pytest

from apps.bills.tasks import send_bill_reminders
from apps.bills.tests.factories import BillFactory
from apps.households.models import Role
from apps.households.tests.factories import household_with
from apps.notifications.models import Notification
from apps.users.tests.factories import UserFactory
from tests.support import html_part, text_part, wait_until

pytestmark = pytest.mark.requires_services


def test_reminder_email_reaches_a_real_smtp_server(celery_worker, smtp_server):
    member = UserFactory(email="ravi@example.com", first_name="Ravi")
    home = household_with(member, Role.OWNER, time_zone="Asia/Kolkata", name="Sharma Home")
    bill = BillFactory(
        household=home,
        name="Internet",
        amount="999.00",
        currency="INR",
        due_date=date(2025, 7, 2),
        payee="FiberNet",
    )
    # 20:00 UTC on July 1st is already 01:30 on July 2nd in Kolkata: the bill is due "today" there.
    send_bill_reminders.apply_async(kwargs={"at": datetime(2025, 7, 1, 20, 0, tzinfo=UTC).isoformat()})

    [message] = smtp_server.wait_for(1, timeout=30)
    assert message["To"] == "ravi@example.com"
    assert message["Subject"] == "Bill reminder: a bill is due soon"
    text = text_part(message)
    assert "Hi Ravi," in text
    assert "Internet to FiberNet in Sharma Home: 999.00 INR, due on 2025-07-02." in text
    assert f"/bills/{bill.id}" in text
    assert "<h1>Internet is due today</h1>" in html_part(message)
    wait_until(
        lambda: Notification.objects.filter(user=member, kind="bill_reminder").exists(), message="in-app row"
    )
