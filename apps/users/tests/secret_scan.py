"""Look for a secret everywhere it must not rest: every text value of every table, and every Redis key."""

import json
import re
from typing import Any

import redis
from django.db import connection


def _as_text(value) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, bytes | memoryview):
        return bytes(value).decode("latin-1")
    if isinstance(value, dict | list):
        return json.dumps(value)
    return None  # numbers, dates: not text columns


def _pattern(secret: str) -> re.Pattern:
    return re.compile(rf"(?<![0-9]){re.escape(secret)}(?![0-9])")


def database_hits(secret: str) -> list[str]:
    """`table.column` for every text value in the database that contains `secret`."""
    pattern, hits = _pattern(secret), []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 — table names from introspection
            columns = [col[0] for col in cursor.description]
            for row in cursor.fetchall():
                for column, value in zip(columns, row, strict=True):
                    text = _as_text(value)
                    if text is not None and pattern.search(text):
                        hits.append(f"{table}.{column}")
    return hits


def redis_hits(url: str, secret: str) -> list[str]:
    """Every key of the Redis database at `url` whose name or value contains `secret`."""
    pattern, hits = _pattern(secret), []
    client: Any = redis.Redis.from_url(url)  # answers bytes (decode_responses is off); typed bytes | str
    for key in client.scan_iter():
        kind = client.type(key).decode()
        if kind == "string":
            values = [client.get(key)]
        elif kind == "list":
            values = client.lrange(key, 0, -1)
        elif kind == "hash":
            values = [b"%s=%s" % item for item in client.hgetall(key).items()]
        elif kind == "set":
            values = list(client.smembers(key))
        elif kind == "zset":
            values = client.zrange(key, 0, -1)
        else:
            values = []
        if any(pattern.search(v.decode("latin-1")) for v in [key, *values] if v is not None):
            hits.append(key.decode("latin-1"))
    return hits
