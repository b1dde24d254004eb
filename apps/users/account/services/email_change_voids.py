"""Voiding pending email changes when the account's owner cleans up.

Kept apart from email_change.py so that sessions, passwords and MFA can call it without an import cycle. A
void change is refused with its own code (`email_change_void`) and can never be confirmed again.
"""

import uuid
from collections.abc import Iterable

from django.db.models import Q

from apps.common import clock
from apps.users.models import EmailChange, User


def pending_email_changes() -> Q:
    return EmailChange.pending()


def email_changes_void(*, user: User, reason: str) -> int:
    """Void every pending email change of `user`. Call inside the transaction of the event that voids them."""
    now = clock.now()
    return EmailChange.objects.filter(pending_email_changes(), user=user).update(
        voided_at=now, void_reason=reason[:40], updated_at=now
    )


def email_changes_void_for_sessions(*, session_ids: Iterable[uuid.UUID | str], reason: str) -> int:
    """Void the pending email changes asked for by these login sessions (which are being revoked)."""
    ids = list(session_ids)
    if not ids:
        return 0
    now = clock.now()
    return EmailChange.objects.filter(pending_email_changes(), session_id__in=ids).update(
        voided_at=now, void_reason=reason[:40], updated_at=now
    )
