from apps.notifications.services.delivery import NotificationSpec, notifications_deliver
from apps.notifications.services.notifications import (
    notification_mark_read,
    notifications_mark_all_read,
    preference_update,
)

__all__ = [
    "NotificationSpec",
    "notification_mark_read",
    "notifications_deliver",
    "notifications_mark_all_read",
    "preference_update",
]
