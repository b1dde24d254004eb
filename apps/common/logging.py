"""Log context: the request id of the current request, and the id and name of the current Celery task.

A filter on the handler stamps every record with them, so a line written anywhere during a request or a task
can be traced back to it. The values live in context variables, set by RequestLogMiddleware and read from
Celery's current task.
"""

import logging
import re
import uuid
from contextvars import ContextVar

from celery import current_task
from django.http import HttpRequest

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)

_REQUEST_ID_OK = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")


def request_id_from(header: str | None) -> str:
    """A caller's X-Request-ID if it looks like an id; otherwise a new one (junk is never logged verbatim)."""
    if header and _REQUEST_ID_OK.match(header):
        return header
    return uuid.uuid4().hex


class ContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        if isinstance(request, HttpRequest):
            # django.request passes the request along; its repr has the query string, which can hold a token
            record.request = f"{request.method} {request.path}"
        if not hasattr(record, "request_id"):
            request_id = request_id_var.get()
            if request_id:
                record.request_id = request_id
        if not hasattr(record, "task_id") and current_task and current_task.request.id:
            record.task_id = current_task.request.id
            record.task_name = current_task.name
        return True


class PlainFormatter(logging.Formatter):
    """Human-readable lines for development, with the request or task id appended when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        keys = ("request_id", "task_name", "task_id")
        tags = [f"{key}={getattr(record, key)}" for key in keys if hasattr(record, key)]
        return f"{line} [{' '.join(tags)}]" if tags else line
