import factory

from apps.households.models import Household, Membership, Role
from apps.users.tests.factories import UserFactory


class HouseholdFactory(factory.django.DjangoModelFactory[Household]):
    class Meta:
        model = Household

    name = factory.Sequence(lambda n: f"Household {n}")
    time_zone = "UTC"
    currency = "USD"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    household = factory.SubFactory(HouseholdFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.MEMBER


def household_with(user, role: str = Role.OWNER, **household_fields) -> Household:
    """A new household in which `user` has `role` (plus a separate owner when `role` is not owner)."""
    household = HouseholdFactory.create(**household_fields)
    MembershipFactory(household=household, user=user, role=role)
    if role != Role.OWNER:
        MembershipFactory(household=household, role=Role.OWNER)
    return household
