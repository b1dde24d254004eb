from datetime import timedelta

from apps.common import clock
from apps.notifications.models import Notification


def notifications_purge_read(*, days: int = 90) -> int:
    deleted, _ = Notification.objects.filter(read_at__lt=clock.now() - timedelta(days=days)).delete()
    return deleted
