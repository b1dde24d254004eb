"""The email outbox: write a row in the caller's transaction, deliver it after commit, at most once."""

import logging
import random
import smtplib
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone

from apps.emails.crypto import decrypt_json, encrypt_json
from apps.emails.models import EmailOutbox, EmailStatus
from apps.emails.registry import SUBJECTS

logger = logging.getLogger(__name__)

# A row left in "sending" this long is assumed abandoned by a dead worker and is offered again. It is longer
# than one SMTP exchange can take (EMAIL_TIMEOUT), so a live delivery is never duplicated by the sweeper.
SENDING_STALE_AFTER = timedelta(minutes=5)

PERMANENT_SMTP_ERRORS = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused)


def email_send(
    *,
    to: str,
    template: str,
    context: dict | None = None,
    secret_context: dict | None = None,
    dedupe_key: str | None = None,
) -> EmailOutbox | None:
    """Queue an email. Call inside the transaction of the write it belongs to.

    Put codes, tokens and links that contain them in `secret_context`: they are encrypted at rest and wiped
    after sending. With `dedupe_key`, a second call with the same key queues nothing and returns None.
    """
    if template not in SUBJECTS:
        raise ValueError(f"Unknown email template {template!r}; add it to apps.emails.registry.SUBJECTS")
    row = EmailOutbox(
        to=to,
        template=template,
        context=context or {},
        secret_context=encrypt_json(secret_context) if secret_context else None,
        dedupe_key=dedupe_key,
    )
    if dedupe_key:
        try:
            with transaction.atomic():
                row.save()
        except IntegrityError:
            return None
    else:
        row.save()
    transaction.on_commit(lambda: email_enqueue(outbox_id=row.id))
    return row


def email_enqueue(*, outbox_id: int) -> bool:
    """Hand a row to the broker. A broker outage is logged, not raised: the sweeper will pick the row up."""
    from apps.emails.tasks import deliver_email

    try:
        deliver_email.apply_async(args=[outbox_id])
        return True
    except Exception:
        logger.warning("Broker unreachable; outbox row %s left for the sweeper", outbox_id, exc_info=True)
        return False


@dataclass(frozen=True)
class DeliveryOutcome:
    status: str  # "sent", "skipped", "retry", "failed"
    retry_in: float | None = None


def _claim(outbox_id: int) -> bool:
    now = timezone.now()
    claimable = Q(status=EmailStatus.PENDING) | Q(
        status=EmailStatus.SENDING, claimed_at__lt=now - SENDING_STALE_AFTER
    )
    return bool(
        EmailOutbox.objects.filter(claimable, id=outbox_id).update(
            status=EmailStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1, updated_at=now
        )
    )


def render_email(row: EmailOutbox) -> EmailMultiAlternatives:
    context = {**row.context, "frontend_url": settings.FRONTEND_URL, "subject": SUBJECTS[row.template]}
    if row.secret_context:
        context.update(decrypt_json(row.secret_context))
    text = render_to_string(f"emails/{row.template}.txt", context)
    html = render_to_string(f"emails/{row.template}.html", context)
    message = EmailMultiAlternatives(
        subject=SUBJECTS[row.template], body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=[row.to]
    )
    message.attach_alternative(html, "text/html")
    message.extra_headers["X-KinWise-Outbox-Id"] = str(row.id)
    return message


def backoff_seconds(attempt: int) -> float:
    """Exponential backoff with full jitter: up to 30 s, 60 s, 120 s, ... capped at 1 hour."""
    return random.uniform(1, min(3600, 30 * 2 ** (attempt - 1)))  # noqa: S311 — jitter, not security


def email_deliver(*, outbox_id: int) -> DeliveryOutcome:
    """Send one row if nobody else has. Safe to call any number of times, concurrently."""
    if not _claim(outbox_id):
        return DeliveryOutcome("skipped")
    row = EmailOutbox.objects.get(id=outbox_id)
    try:
        render_email(row).send()
    except Exception as exc:
        return _record_failure(row, exc)
    # The window for a duplicate is between the SMTP server accepting the message and this UPDATE.
    EmailOutbox.objects.filter(id=row.id).update(
        status=EmailStatus.SENT,
        sent_at=timezone.now(),
        secret_context=None,
        last_error="",
        updated_at=timezone.now(),
    )
    logger.info("Email %s sent (template %s, attempt %s)", row.id, row.template, row.attempts)
    return DeliveryOutcome("sent")


def _record_failure(row: EmailOutbox, exc: Exception) -> DeliveryOutcome:
    error = f"{type(exc).__name__}: {exc}"[:2000]
    now = timezone.now()
    if isinstance(exc, PERMANENT_SMTP_ERRORS) or row.attempts >= settings.EMAIL_OUTBOX_MAX_ATTEMPTS:
        EmailOutbox.objects.filter(id=row.id).update(
            status=EmailStatus.FAILED, last_error=error, secret_context=None, updated_at=now
        )
        logger.error("Email %s failed for good after %s attempts: %s", row.id, row.attempts, error)
        return DeliveryOutcome("failed")
    delay = backoff_seconds(row.attempts)
    EmailOutbox.objects.filter(id=row.id).update(
        status=EmailStatus.PENDING,
        last_error=error,
        next_attempt_at=now + timedelta(seconds=delay),
        updated_at=now,
    )
    logger.warning("Email %s attempt %s failed, retrying in %.0fs: %s", row.id, row.attempts, delay, error)
    return DeliveryOutcome("retry", retry_in=delay)


def email_sweep(*, limit: int = 500) -> int:
    """Re-enqueue rows that are due and were not picked up: a down broker, a lost message, a dead worker.

    Only rows at least EMAIL_OUTBOX_GRACE_SECONDS past their due time are taken, so the normal on-commit
    enqueue and retry countdowns get their chance first. Overlapping sweeps are harmless: delivery claims.
    """
    now = timezone.now()
    grace = timedelta(seconds=settings.EMAIL_OUTBOX_GRACE_SECONDS)
    due = EmailOutbox.objects.filter(
        Q(status=EmailStatus.PENDING, next_attempt_at__lte=now - grace)
        | Q(status=EmailStatus.SENDING, claimed_at__lt=now - SENDING_STALE_AFTER)
    ).values_list("id", flat=True)[:limit]
    enqueued = sum(email_enqueue(outbox_id=outbox_id) for outbox_id in due)
    if enqueued:
        logger.info("Outbox sweep re-enqueued %s email(s)", enqueued)
    return enqueued
