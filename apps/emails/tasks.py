from celery import shared_task
from celery.signals import worker_process_shutdown
from django.conf import settings

from apps.emails import connection as email_connection
from apps.emails.services import email_deliver, email_prune, email_sweep


@shared_task(
    bind=True,
    acks_late=True,
    max_retries=None,  # the outbox row counts attempts (EMAIL_OUTBOX_MAX_ATTEMPTS)
    track_started=False,  # the outbox row says "sending"; a STARTED result row per email was one more write
    ignore_result=True,  # and "sent" / "failed": a result row per email was two more statements
    # No task-received/started/succeeded events per email either (three publishes from the worker): the outbox
    # row and the task metrics are the record; the other tasks still send theirs for Flower.
    send_events=False,
    time_limit=settings.EMAIL_DELIVERY_TIME_LIMIT,
    soft_time_limit=max(1, settings.EMAIL_DELIVERY_TIME_LIMIT - 10),
)
def deliver_email(self, outbox_id: int) -> str:
    """Deliver one outbox row. Receives only the row id, so no secret travels through the broker."""
    outcome = email_deliver(outbox_id=outbox_id)
    if outcome.status == "retry":
        raise self.retry(countdown=outcome.retry_in)
    return outcome.status


@worker_process_shutdown.connect
def _close_email_connection(**kwargs):
    email_connection.close()  # QUIT politely when a pool process ends (max tasks per child, shutdown)


@shared_task(ignore_result=True)
def sweep_outbox() -> int:
    return email_sweep()


@shared_task(ignore_result=True)
def prune_outbox() -> int:
    return email_prune()
