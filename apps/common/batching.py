"""Cutting a large job into id ranges that chunk tasks can process independently."""

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
