"""Turning events into notifications: an in-app row and/or an email, per each user's preferences.

Built for batches: a job hands over thousands of specs and this costs a handful of queries per batch
(preferences, notification INSERTs, outbox INSERTs), never one per recipient. The emails are delivered by
`deliver_notification_emails` tasks carrying up to EMAILS_PER_TASK outbox ids each (one broker message per
hundred emails instead of one per email); each id goes through the outbox's own claimed, at-most-once
delivery, and an email that must be retried gets its own delayed task.
"""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from apps.common.bulk import insert_rows
from apps.common.enqueue import enqueue_on_commit
from apps.emails.bulk import EmailSpec, email_send_many
from apps.emails.services import email_deliver
from apps.emails.tasks import deliver_email
from apps.notifications.models import DEFAULT_CHANNELS, Notification
from apps.notifications.selectors import channels_for

BATCH_SIZE = 500
# Bounded so a task stays well inside the soft time limit even if every SMTP exchange ran into EMAIL_TIMEOUT.
EMAILS_PER_TASK = 100
_NOTIFICATION_FIELDS = ("user_id", "household_id", "kind", "title", "body", "link", "dedupe_key")


@dataclass(frozen=True)
class NotificationSpec:
    user_id: int
    email: str
    kind: str
    title: str
    dedupe_key: str
    body: str = ""
    link: str = ""
    household_id: int | None = None
    email_context: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Delivered:
    in_app: int
    emails: int


def notifications_deliver(specs: Sequence[NotificationSpec]) -> Delivered:
    """Create notifications and queue emails. Call inside the transaction that recorded the event, so the
    event and its notifications commit (or roll back) together. Repeated dedupe keys create nothing."""
    if not specs:
        return Delivered(0, 0)
    channels = channels_for(user_ids={s.user_id for s in specs}, kinds={s.kind for s in specs})
    in_app, emails = [], []
    for spec in specs:
        send_email, show_in_app = channels.get((spec.user_id, spec.kind), DEFAULT_CHANNELS[spec.kind])
        if show_in_app:
            in_app.append(
                (
                    spec.user_id,
                    spec.household_id,
                    spec.kind,
                    spec.title[:200],
                    spec.body,
                    spec.link,
                    spec.dedupe_key,
                )
            )
        if send_email and spec.email:
            emails.append(
                EmailSpec(
                    to=spec.email,
                    template=spec.kind,
                    dedupe_key=f"notification:{spec.dedupe_key}",
                    context={**spec.email_context, "link": spec.link},
                )
            )
    insert_rows(Notification, _NOTIFICATION_FIELDS, in_app, ignore_conflicts=True, batch_size=BATCH_SIZE)
    outbox_ids = email_send_many(emails, batch_size=BATCH_SIZE, enqueue=False)
    chunks = [(outbox_ids[i : i + EMAILS_PER_TASK],) for i in range(0, len(outbox_ids), EMAILS_PER_TASK)]
    enqueue_on_commit("apps.notifications.tasks.deliver_notification_emails", *chunks, argsrepr=_ids_argsrepr)
    return Delivered(len(in_app), len(emails))


def _ids_argsrepr(args: tuple[Any, ...]) -> str:
    (ids,) = args
    return f"[{len(ids)} ids]"


def notification_emails_deliver(*, outbox_ids: list[int]) -> dict[str, int]:
    """Deliver outbox rows one by one (each claimed, so a redelivered batch sends nothing twice)."""
    outcomes: Counter[str] = Counter()
    for outbox_id in outbox_ids:
        outcome = email_deliver(outbox_id=outbox_id)
        if outcome.status == "retry":
            deliver_email.apply_async(args=(outbox_id,), countdown=outcome.retry_in)  # type: ignore[arg-type]  # set for a retry; Celery also takes None, celery-types only float
        outcomes[outcome.status] += 1
    return dict(outcomes)
