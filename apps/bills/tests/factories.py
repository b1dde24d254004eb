from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from apps.bills.models import Bill, Recurrence
from apps.households.tests.factories import HouseholdFactory


class BillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Bill

    household = factory.SubFactory(HouseholdFactory)
    name = factory.Sequence(lambda n: f"Bill {n}")
    amount = Decimal("42.50")
    currency = "USD"
    due_date = factory.LazyFunction(lambda: timezone.now().date() + timedelta(days=10))
    anchor_day = factory.LazyAttribute(lambda o: o.due_date.day)
    recurrence = Recurrence.NONE
    reminder_days_before = 3
    remind_from = factory.LazyAttribute(lambda o: o.due_date - timedelta(days=o.reminder_days_before))
