"""Cutting a large job into id ranges that chunk tasks can process independently, and fanning them out."""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import QuerySet


@dataclass(frozen=True)
class IdRange:
    start: int
    end: int


def id_ranges(queryset: QuerySet, *, chunk_size: int) -> list[IdRange]:
    """Consecutive [start, end] id ranges holding at most `chunk_size` rows of `queryset` each.

    Streams the ids (a server-side cursor on Postgres), so memory holds the ranges, never the N ids.
    """
    ranges: list[IdRange] = []
    start: int | None = None
    previous = count = 0
    ids = queryset.order_by("pk").values_list("pk", flat=True)
    for row_id in ids.iterator(chunk_size=max(chunk_size, 2000)):
        if start is None:
            start = row_id
        previous, count = row_id, count + 1
        if count == chunk_size:
            ranges.append(IdRange(start, previous))
            start, count = None, 0
    if start is not None:
        ranges.append(IdRange(start, previous))
    return ranges


def fan_out(ranges: list[IdRange], *, run: Callable[[IdRange], int], chunk_task, args: tuple = ()) -> dict:
    """The daily jobs' dispatcher: a single range runs here, inline (`run(range)` -> items sent); more are
    published as one `chunk_task(start, end, *args)` each, for the workers to share. Returns
    {"chunks": how many ranges, "sent": items sent inline, or None when fanned out}."""
    if len(ranges) <= 1:
        return {"chunks": len(ranges), "sent": sum(run(r) for r in ranges)}
    for r in ranges:
        chunk_task.delay(r.start, r.end, *args)
    return {"chunks": len(ranges), "sent": None}
