from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet

from apps.notifications.models import DEFAULT_CHANNELS, Notification, NotificationKind, NotificationPreference
from apps.users.models import User


def notification_list(*, user: User, filters: dict[str, Any] | None = None) -> QuerySet[Notification]:
    filters = filters or {}
    notifications = Notification.objects.filter(user_id=user.pk)
    if filters.get("unread"):
        notifications = notifications.filter(read_at__isnull=True)
    elif filters.get("unread") is False:
        notifications = notifications.filter(read_at__isnull=False)
    if filters.get("household"):
        notifications = notifications.filter(household_id=filters["household"])
    if filters.get("kind"):
        notifications = notifications.filter(kind=filters["kind"])
    return notifications.order_by("-created_at", "-id")


def preference_list(*, user: User) -> list[dict[str, Any]]:
    """Every kind with the channels in effect for this user (their choice, else the default)."""
    stored = {p.kind: p for p in NotificationPreference.objects.filter(user_id=user.pk)}
    result = []
    for kind in NotificationKind:
        email, in_app = (
            (stored[kind].email, stored[kind].in_app) if kind in stored else DEFAULT_CHANNELS[kind]
        )
        result.append({"kind": kind.value, "email": email, "in_app": in_app})
    return result


def channels_for(
    *, user_ids: Iterable[int], kinds: Iterable[str]
) -> dict[tuple[int, str], tuple[bool, bool]]:
    """(user_id, kind) -> (email, in_app) for many users in one query; absent pairs use DEFAULT_CHANNELS."""
    channels = {}
    rows = NotificationPreference.objects.filter(user_id__in=list(user_ids), kind__in=list(kinds))
    for user_id, kind, email, in_app in rows.values_list("user_id", "kind", "email", "in_app"):
        channels[(user_id, kind)] = (email, in_app)
    return channels
