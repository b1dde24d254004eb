"""The account's own profile: the name the household sees (the address changes only by email_change)."""

from django.db import transaction
from django.http import HttpRequest

from apps.audit.models import AuditAction
from apps.audit.services import log_action
from apps.common.services import model_update
from apps.users.models import User

PROFILE_FIELDS = ["first_name", "last_name"]


@transaction.atomic
def user_profile_update(*, user: User, data: dict, request: HttpRequest | None = None) -> User:
    """Set the given name fields; audited (which fields, not their values) when anything changed."""
    changed = sorted(f for f in PROFILE_FIELDS if f in data and getattr(user, f) != data[f])
    user, _ = model_update(instance=user, fields=PROFILE_FIELDS, data=data)
    if changed:
        log_action(
            user=user,
            action_type=AuditAction.UPDATE,
            request=request,
            description="Profile updated",
            object_type="User",
            object_id=user.pk,
            metadata={"fields": changed},
        )
    return user
