from collections.abc import Callable
from typing import Any, NoReturn

from django.db import models, transaction
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
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: Any = "",
    metadata: dict[str, Any] | None = None,
) -> AuditLog:
    """Write one audit row: the one way every caller writes one. Call it inside the transaction of the action
    it records.

    The object acted on is `obj` (a model instance: typed by its model name, with its household id in the
    metadata when it belongs to a household) or, without an instance at hand, `object_type` and `object_id`.
    Never pass secrets (codes, tokens, passwords) in `description` or `metadata`. Without a `request` (in a
    worker), pass the `ip` and `user_agent` of the request that asked for the action.
    """
    if obj is not None:
        object_type, object_id = obj._meta.model_name or "", obj.pk
        household_id = getattr(obj, "household_id", None)
        if household_id is not None:
            metadata = {"household_id": household_id, **(metadata or {})}
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
