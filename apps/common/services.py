from typing import Any

from django.db import models
from django.utils import timezone


def model_update(
    *, instance: models.Model, fields: list[str], data: dict[str, Any]
) -> tuple[models.Model, bool]:
    """Set the given fields from data and save only what changed. Returns (instance, changed)."""
    changed = []
    for field in fields:
        if field in data and getattr(instance, field) != data[field]:
            setattr(instance, field, data[field])
            changed.append(field)
    if changed:
        if any(f.name == "updated_at" for f in instance._meta.fields):
            instance.updated_at = timezone.now()
            changed.append("updated_at")
        instance.full_clean(exclude=[f.name for f in instance._meta.fields if f.name not in changed])
        instance.save(update_fields=changed)
    return instance, bool(changed)
