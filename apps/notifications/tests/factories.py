import factory

from apps.notifications.models import Notification, NotificationKind
from apps.users.tests.factories import UserFactory


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    user = factory.SubFactory(UserFactory)
    kind = NotificationKind.BILL_REMINDER
    title = factory.Sequence(lambda n: f"Notification {n}")
    body = "Something happened."
    link = "/bills/1"
