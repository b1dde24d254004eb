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


def _label(item: HouseholdItem) -> str:
    return str(item._meta.verbose_name).capitalize()


def household_item_create(*, user: User, item: Item, request: HttpRequest | None = None) -> Item:
    """Validate and insert a new item, with its CREATE audit row."""
    item.full_clean()
    item.save()
    log_action(
        user=user,
        action_type=AuditAction.CREATE,
        description=f"{_label(item)} created",
        request=request,
        obj=item,
    )
    return item


def household_item_update(
    *, user: User, item: Item, fields: list[str], data: dict[str, Any], request: HttpRequest | None = None
) -> bool:
    """Save the `fields` of `data` that changed (model_update) and audit the change, naming the fields asked
    for; returns whether anything changed."""
    item, changed = model_update(instance=item, fields=fields, data=data)
    if changed:
        log_action(
            user=user,
            action_type=AuditAction.UPDATE,
            description=f"{_label(item)} updated",
            request=request,
            obj=item,
            metadata={"fields": sorted(data)},
        )
    return changed


def household_item_delete(*, user: User, item: HouseholdItem, request: HttpRequest | None = None) -> None:
    """Delete an item; its audit row keeps the item's name."""
    log_action(
        user=user,
        action_type=AuditAction.DELETE,
        description=f"{_label(item)} deleted",
        request=request,
        obj=item,
        metadata={"name": item.name},
    )
    item.delete()
