from decimal import Decimal

import factory

from apps.goals.models import Goal
from apps.households.tests.factories import HouseholdFactory


class GoalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Goal

    household = factory.SubFactory(HouseholdFactory)
    name = factory.Sequence(lambda n: f"Goal {n}")
    target_amount = Decimal("1000.00")
    current_amount = Decimal("0.00")
    currency = "USD"
