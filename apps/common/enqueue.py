"""Publishing Celery tasks after commit, without ever failing the caller on a broker outage.

Every job here is a row first (an outbox row, a pending report): the row is the durable job and the broker
message only tells a worker to look at it now. So a message is published once the row has committed (a worker
never looks for a row that is not there yet, and a rollback publishes nothing), and a publish that fails is
logged and left to whatever picks the rows up later: the outbox sweeper re-enqueues pending emails, and a
caller with no sweeper passes `on_failure` (a report is marked failed, so it does not stay pending forever).

Tasks are named by their dotted path (`"apps.emails.tasks.deliver_email"`): a service cannot import its
app's tasks module at import time, since that module imports the service. The path is resolved when the
caller asks, so a wrong one fails there, loudly, not as a "broker unreachable" warning after commit.
"""

import logging
from collections.abc import Callable, Sequence
from typing import Any

from celery import Task, current_app
from django.db import transaction
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

Message = tuple[Any, ...]
FailureHook = Callable[[Sequence[Message]], None]
ArgsRepr = Callable[[Message], str]


def _task(task: Task | str) -> Task:  # type: ignore[type-arg]  # any task's arguments
    resolved: Task = import_string(task) if isinstance(task, str) else task  # type: ignore[type-arg]
    return resolved


def publish(
    task: Task | str,  # type: ignore[type-arg]
    messages: Sequence[Message],
    *,
    on_failure: FailureHook | None = None,
    argsrepr: ArgsRepr | None = None,
) -> int:
    """Publish one message per tuple of arguments, now, over one broker connection (acquiring one per message
    costs a round trip each); returns how many went.

    At the first broker error it stops (rather than waiting out a connection timeout once per message), logs
    how many were left and hands those to `on_failure`. Never raises a broker error. `argsrepr` describes a
    message's arguments for Celery's logs and events, which otherwise build a safe repr of them for every
    message (a hundred ids each, for the notification batches).
    """
    task = _task(task)
    sent = 0
    try:
        with current_app.producer_or_acquire() as producer:
            for args in messages:
                if argsrepr is None:
                    task.apply_async(args=args, producer=producer)
                else:
                    task.apply_async(args=args, producer=producer, argsrepr=argsrepr(args))  # type: ignore[call-arg]  # a Celery option its stubs lack
                sent += 1
    except Exception:
        left = messages[sent:]
        logger.warning("Broker unreachable; %s %s message(s) left over", len(left), task.name, exc_info=True)
        if on_failure is not None:
            on_failure(left)
    return sent


def enqueue_on_commit(
    task: Task | str,  # type: ignore[type-arg]
    *messages: Message,
    on_failure: FailureHook | None = None,
    argsrepr: ArgsRepr | None = None,
) -> None:
    """Once the current transaction commits, `publish` one message per tuple of arguments; if it rolls back,
    nothing. Outside a transaction, at once."""
    if not messages:
        return
    resolved = _task(task)
    transaction.on_commit(lambda: publish(resolved, messages, on_failure=on_failure, argsrepr=argsrepr))
