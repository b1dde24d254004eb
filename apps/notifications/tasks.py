from celery import shared_task

from apps.notifications.services.delivery import notification_emails_deliver
from apps.notifications.services.housekeeping import notifications_purge_read


@shared_task(acks_late=True)
def deliver_notification_emails(outbox_ids: list[int]) -> dict:
    """Deliver a batch of notification emails (ids only: the rows hold the content)."""
    return notification_emails_deliver(outbox_ids=outbox_ids)


@shared_task
def purge_read_notifications(days: int = 90) -> int:
    """Delete notifications read more than `days` ago (keeps the table and the unread index small)."""
    return notifications_purge_read(days=days)
