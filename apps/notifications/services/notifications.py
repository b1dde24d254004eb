from typing import Any

from django.db import transaction

from apps.common import clock
from apps.common.exceptions import NotFound
from apps.notifications.models import DEFAULT_CHANNELS, Notification, NotificationPreference
from apps.users.models import User


def notification_mark_read(*, user: User, notification_id: int) -> Notification:
    """Idempotent: marking a read notification again keeps its first read time."""
    notification = Notification.objects.filter(id=notification_id, user_id=user.pk).first()
    if notification is None:
        raise NotFound("Notification not found.")
    if notification.read_at is None:
        now = clock.now()
        Notification.objects.filter(id=notification.id, read_at__isnull=True).update(
            read_at=now, updated_at=now
        )
        notification.refresh_from_db(fields=["read_at", "updated_at"])
    return notification


def notifications_mark_all_read(*, user: User, household_id: int | None = None) -> int:
    now = clock.now()
    unread = Notification.objects.filter(user_id=user.pk, read_at__isnull=True)
    if household_id is not None:
        unread = unread.filter(household_id=household_id)
    return unread.update(read_at=now, updated_at=now)


@transaction.atomic
def preference_update(
    *, user: User, kind: str, email: bool | None = None, in_app: bool | None = None
) -> dict[str, Any]:
    if kind not in DEFAULT_CHANNELS:
        raise NotFound("Unknown notification kind.")
    default_email, default_in_app = DEFAULT_CHANNELS[kind]
    preference, _ = NotificationPreference.objects.get_or_create(
        user_id=user.pk, kind=kind, defaults={"email": default_email, "in_app": default_in_app}
    )
    if email is not None:
        preference.email = email
    if in_app is not None:
        preference.in_app = in_app
    preference.save(update_fields=["email", "in_app", "updated_at"])
    return {"kind": kind, "email": preference.email, "in_app": preference.in_app}
