from celery import shared_task

from apps.emails.services import email_deliver, email_sweep


@shared_task(bind=True, acks_late=True, max_retries=None)
def deliver_email(self, outbox_id: int) -> str:
    """Deliver one outbox row. Receives only the row id, so no secret travels through the broker."""
    outcome = email_deliver(outbox_id=outbox_id)
    if outcome.status == "retry":
        raise self.retry(countdown=outcome.retry_in)
    return outcome.status


@shared_task
def sweep_outbox() -> int:
    return email_sweep()
