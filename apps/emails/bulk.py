"""The batch form of `email_send`, for jobs that notify thousands of people at once.

Same contract as email_send (a row in the caller's transaction, delivered by a worker after commit), but a
few INSERTs per batch instead of one per email. Batch emails carry no secrets (no secret_context) and each
needs a `dedupe_key`: a key that already exists queues nothing.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

from apps.common.bulk import insert_rows
from apps.common.enqueue import enqueue_on_commit
from apps.emails.models import EmailOutbox
from apps.emails.registry import SUBJECTS
from apps.emails.services import DELIVER_EMAIL


@dataclass(frozen=True)
class EmailSpec:
    to: str
    template: str
    dedupe_key: str
    context: dict = field(default_factory=dict)


def email_send_many(specs: Sequence[EmailSpec], *, batch_size: int = 500, enqueue: bool = True) -> list[int]:
    """Queue many emails; returns the ids of the outbox rows this call created (a key that was already
    queued creates nothing and returns nothing: whoever queued it publishes it).

    With enqueue=False nothing is published: the caller hands the ids to its own batch task after commit
    (rows nobody publishes are still delivered: the outbox sweeper re-enqueues pending rows).
    """
    for spec in specs:
        if spec.template not in SUBJECTS:
            raise ValueError(
                f"Unknown email template {spec.template!r}; add it to apps.emails.registry.SUBJECTS"
            )
    if not specs:
        return []
    inserted = insert_rows(
        EmailOutbox,
        ("to", "template", "context", "dedupe_key"),
        ((s.to, s.template, s.context, s.dedupe_key) for s in specs),
        ignore_conflicts=True,
        returning=("id",),
        batch_size=batch_size,
    )
    ids = [outbox_id for (outbox_id,) in inserted]
    if enqueue:
        enqueue_on_commit(DELIVER_EMAIL, *[(outbox_id,) for outbox_id in ids])
    return ids
