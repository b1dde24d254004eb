"""What every write to a household item (a bill, a goal) ends with: the row saved or deleted together with
its audit row, typed by the item's model and carrying its household id (`log_action(obj=...)`).

The callers have checked the member's right to write and locked what they must; these finish the job inside
the caller's transaction.
"""

from typing import Any, TypeVar

from django.http import HttpRequest

from apps.audit.models import AuditAction
from apps.audit.services import log_action
from apps.common.services import model_update
from apps.households.models import HouseholdItem
from apps.users.models import User

Item = TypeVar("Item", bound=HouseholdItem)


_DONE = {
    AuditAction.CREATE: "created",
    AuditAction.UPDATE: "updated",
    AuditAction.DELETE: "deleted",
}


def _audit(
    *,
    user: User,
    item: HouseholdItem,
    action: AuditAction,
    request: HttpRequest | None,
    metadata: dict[str, Any] | None = None,
) -> None:
    """The audit row of a write to `item`: "Bill created", "Goal deleted", ..."""
    label = str(item._meta.verbose_name).capitalize()
    log_action(
        user=user,
        action_type=action,
        description=f"{label} {_DONE[action]}",
        request=request,
        obj=item,
        metadata=metadata,
    )


def household_item_create(*, user: User, item: Item, request: HttpRequest | None = None) -> Item:
    """Validate and insert a new item, with its CREATE audit row."""
    item.full_clean()
    item.save()
    _audit(user=user, item=item, action=AuditAction.CREATE, request=request)
    return item


def household_item_update(
    *,
    user: User,
    item: Item,
    fields: list[str],
    data: dict[str, Any],
    request: HttpRequest | None = None,
) -> bool:
    """Save the `fields` of `data` that changed (model_update) and audit the change, naming the fields asked
    for; returns whether anything changed."""
    item, changed = model_update(instance=item, fields=fields, data=data)
    if changed:
        _audit(
            user=user,
            item=item,
            action=AuditAction.UPDATE,
            request=request,
            metadata={"fields": sorted(data)},
        )
    return changed


def household_item_delete(*, user: User, item: HouseholdItem, request: HttpRequest | None = None) -> None:
    """Delete an item; its audit row keeps the item's name."""
    _audit(
        user=user,
        item=item,
        action=AuditAction.DELETE,
        request=request,
        metadata={"name": item.name},
    )
    item.delete()
