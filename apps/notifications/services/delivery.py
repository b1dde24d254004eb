"""Turning events into notifications: an in-app row and/or an email, per each user's preferences.

Built for batches: a job hands over thousands of specs and this costs a handful of queries per batch
(preferences, notification INSERTs, outbox INSERTs), never one per recipient.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

from apps.emails.bulk import EmailSpec, email_send_many
from apps.notifications.models import DEFAULT_CHANNELS, Notification
from apps.notifications.selectors import channels_for

BATCH_SIZE = 500


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
    email_context: dict = field(default_factory=dict)


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
                Notification(
                    user_id=spec.user_id,
                    household_id=spec.household_id,
                    kind=spec.kind,
                    title=spec.title[:200],
                    body=spec.body,
                    link=spec.link,
                    dedupe_key=spec.dedupe_key,
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
    Notification.objects.bulk_create(in_app, ignore_conflicts=True, batch_size=BATCH_SIZE)
    email_send_many(emails, batch_size=BATCH_SIZE)
    return Delivered(len(in_app), len(emails))
