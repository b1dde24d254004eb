from collections.abc import Callable
from typing import Any, ClassVar, NoReturn, Protocol

from django.db import transaction
from django.db.models.options import Options
from django.http import HttpRequest

from apps.audit.models import AuditAction, AuditLog
from apps.common.client_ip import client_ip
from apps.common.client_ip import user_agent as request_user_agent


def log_action(
    *,
    user: Any = None,  # a User, an AnonymousUser or None: only a saved user becomes the actor
    action_type: AuditAction | str,
    description: str = "",
    request: HttpRequest | None = None,
    ip: str | None = None,
    user_agent: str = "",
    object_type: str = "",
    object_id: Any = "",
    metadata: dict[str, Any] | None = None,
) -> AuditLog:
    """Write one audit row. Call it inside the transaction of the action it records.

    Never pass secrets (codes, tokens, passwords) in `description` or `metadata`. Without a `request` (in a
    worker), pass the `ip` and `user_agent` of the request that asked for the action.
    """
    agent = user_agent[:400]
    if request is not None:
        ip = ip or client_ip(request)
        agent = request_user_agent(request)
    actor = user if (user is not None and getattr(user, "pk", None)) else None
    return AuditLog.objects.create(
        actor=actor,
        action_type=str(action_type),
        description=description[:500],
        ip_address=ip,
        user_agent=agent,
        object_type=object_type,
        object_id=str(object_id) if object_id != "" else "",
        metadata=metadata or {},
    )


class HouseholdRow(Protocol):
    """A saved row that belongs to a household (a bill, a goal)."""

    id: int
    household_id: int
    _meta: "ClassVar[Options[Any]]"  # quoted: Options is generic only in django-stubs


def log_household_action(
    user: Any,
    action_type: AuditAction | str,
    description: str,
    obj: HouseholdRow,
    request: HttpRequest | None = None,
    **metadata: Any,
) -> AuditLog:
    """Audit a write to an object that belongs to a household (a bill, a goal): typed by its model, with the
    household id in the metadata."""
    return log_action(
        user=user,
        action_type=action_type,
        description=description,
        request=request,
        object_type=obj._meta.model_name or "",
        object_id=obj.id,
        metadata={"household_id": obj.household_id, **metadata},
    )


def refuse(error: Exception, *, also: Callable[[], object] | None = None, **audit: Any) -> NoReturn:
    """Write the refusal's audit row (`audit`: log_action's arguments) in its own committed transaction, then
    raise `error`.

    The error rolls back the request's transaction, and a row written there with it; a refused guess must stay
    on record. `also` runs in the same committed transaction after the row (count a wrong guess against a
    budget). durable=True makes it fail loudly if called inside a transaction that could still roll it back.
    """
    with transaction.atomic(durable=True):
        log_action(**audit)
        if also is not None:
            also()
    raise error
