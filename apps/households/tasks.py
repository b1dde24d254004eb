from celery import shared_task

from apps.households.services.invites import invite_purge_stale


@shared_task
def purge_stale_invites() -> int:
    """Delete invitations that expired, were revoked or were used more than 30 days ago."""
    return invite_purge_stale()
