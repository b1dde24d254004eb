from typing import Any, TypeVar

from django.db import models

from apps.common import clock

M = TypeVar("M", bound=models.Model)


def model_update(*, instance: M, fields: list[str], data: dict[str, Any]) -> tuple[M, bool]:
    """Set the given fields from data and save only what changed. Returns (instance, changed)."""
    changed = []
    for field in fields:
        if field in data and getattr(instance, field) != data[field]:
            setattr(instance, field, data[field])
            changed.append(field)
    if changed:
        if any(f.name == "updated_at" for f in instance._meta.fields):
            setattr(instance, "updated_at", clock.now())  # noqa: B010 - not every model has the field
            changed.append("updated_at")
        instance.full_clean(exclude=[f.name for f in instance._meta.fields if f.name not in changed])
        instance.save(update_fields=changed)
    return instance, bool(changed)
