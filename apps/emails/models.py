from django.db import models

from apps.common import clock
from apps.common.models import BaseModel


class EmailStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    DROPPED = "dropped", "Dropped (nothing to send for this address)"


class EmailOutbox(BaseModel):
    """One email to send. Written in the caller's transaction; delivered by a worker after commit.

    `context` is plain and must hold no secrets; `secret_context` is encrypted (see apps.emails.crypto) and
    is wiped once the email has been sent.

    A row with `prepare` set is a request for an email that the worker still has to write (see
    `email_request`): its `context` holds only where the request came from, and the preparer named there turns
    it into the email, or drops it, inside the delivery attempt.
    """

    to = models.EmailField(max_length=254)
    template = models.CharField(max_length=64)
    context = models.JSONField(default=dict, blank=True)
    secret_context = models.TextField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=EmailStatus.choices, default=EmailStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=clock.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    dedupe_key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    prepare = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        db_table = "email_outbox"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="email_outbox_due")]

    def __str__(self):
        return f"{self.template} → {self.to} ({self.status})"
