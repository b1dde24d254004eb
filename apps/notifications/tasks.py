from celery import shared_task

from apps.notifications.services.housekeeping import notifications_purge_read


@shared_task
def purge_read_notifications(days: int = 90) -> int:
    """Delete notifications read more than `days` ago (keeps the table and the unread index small)."""
    return notifications_purge_read(days=days)
