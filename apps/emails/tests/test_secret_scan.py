"""A code sent by email is in the email and nowhere else: not in broker, results, outbox table or logs."""

import base64
import json
from typing import Any

import pytest
import redis
from django.db import transaction
from django_celery_results.models import TaskResult

from apps.emails.models import EmailOutbox, EmailStatus
from apps.emails.services import email_send
from tests.support import running_worker, text_part, wait_until

pytestmark = pytest.mark.requires_services

# Not six bare digits: those also turn up by chance in timestamps (microseconds) in the scanned rows.
SECRET = "otp-864209"
LINK_TOKEN = "tok-9f8e7d6c5b4a"


def broker_contents(url: str) -> str:
    """Every value of every key in the broker's Redis database, with message bodies base64-decoded."""
    client = redis.Redis.from_url(url)
    chunks: list[Any] = []  # redis-py types each reply as bytes | str; this client returns bytes
    for key in client.scan_iter():
        kind = client.type(key).decode()  # type: ignore[union-attr]  # bytes: no decode_responses
        if kind == "list":
            chunks += client.lrange(key, 0, -1)
        elif kind == "hash":
            chunks += client.hvals(key)
        elif kind == "set":
            chunks += client.smembers(key)
        elif kind == "zset":
            chunks += client.zrange(key, 0, -1)
        elif kind == "string":
            chunks.append(client.get(key))
    text = []
    for chunk in chunks:
        text.append(chunk.decode(errors="replace"))
        text.extend(
            base64.b64decode(payload["body"]).decode(errors="replace")
            for payload in _json_payloads(chunk)
            if isinstance(payload, dict) and "body" in payload
        )
    return "\n".join(text)


def _json_payloads(chunk: bytes):
    try:
        data = json.loads(chunk)
    except ValueError:
        return []
    # unacked entries are [message, exchange, routing_key]
    return data if isinstance(data, list) else [data]


def test_an_otp_travels_only_inside_the_email(celery_broker, smtp_server, caplog):
    with transaction.atomic():
        row = email_send(
            to="ann@example.com",
            template="login_otp",
            context={"name": "Ann"},
            secret_context={"otp_code": SECRET, "link": f"https://app.example/verify?token={LINK_TOKEN}"},
        )

    # The delivery message is in Redis now, waiting for a worker.
    queued = broker_contents(celery_broker)
    assert f"[[{row.id}]" in queued.replace(" ", "")  # the task's arguments: the row id, decoded
    assert SECRET not in queued
    assert LINK_TOKEN not in queued

    with running_worker():
        [message] = smtp_server.wait_for(1)
        wait_until(
            lambda: EmailOutbox.objects.get(id=row.id).status == EmailStatus.SENT, message="row marked sent"
        )
    assert SECRET in text_part(message)  # it did reach the recipient

    results = list(TaskResult.objects.values())
    assert results == []  # deliveries store no result row (ignore_result): nothing there to leak
    stored = EmailOutbox.objects.filter(id=row.id).values().get()
    assert stored["status"] == EmailStatus.SENT
    assert stored["secret_context"] is None
    for place, content in {
        "broker": broker_contents(celery_broker),
        "result backend": str(results),
        "outbox table": str(stored),
        "logs": caplog.text,
    }.items():
        assert SECRET not in content, place
        assert LINK_TOKEN not in content, place
