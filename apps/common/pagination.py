"""Pagination for APIView-based lists, and the matching OpenAPI envelope."""

from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from apps.common.schema import errors


class StandardPagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 200


def paginated_response(*, request, view, queryset, serializer_class, context: dict | None = None) -> Response:
    paginator = StandardPagination()
    page = paginator.paginate_queryset(queryset, request, view=view)
    data = serializer_class(page, many=True, context={"request": request, **(context or {})}).data
    return paginator.get_paginated_response(data)


@cache
def paginated(serializer_class: type[serializers.Serializer]):
    """The response schema of a paginated list of `serializer_class`."""
    name = serializer_class.__name__.removesuffix("Serializer")
    return inline_serializer(
        f"Paginated{name}List",
        fields={
            "count": serializers.IntegerField(),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": serializer_class(many=True),
        },
    )


PAGE_PARAMETERS = [
    OpenApiParameter("page", OpenApiTypes.INT, description="Page number (from 1)."),
    OpenApiParameter("page_size", OpenApiTypes.INT, description="Items per page (default 50, at most 200)."),
]


def list_schema(
    serializer_class: type[serializers.Serializer],
    *,
    summary: str,
    operation_id: str,
    tags: list[str],
    filters: type[serializers.Serializer] | None = None,
    statuses: Sequence[int] = (401,),
) -> Callable[[Any], Any]:
    """The schema of a paginated list GET: `filters`' query parameters (if any) and the page parameters, one
    page of `serializer_class`, and the error `statuses` (apps.common.schema.errors). An APIView's GET needs
    its `operation_id` spelt out: drf-spectacular would call it ..._retrieve."""
    return extend_schema(
        parameters=[filters, *PAGE_PARAMETERS] if filters else PAGE_PARAMETERS,
        responses={200: paginated(serializer_class), **errors(*statuses)},
        tags=tags,
        summary=summary,
        operation_id=operation_id,
    )


def query_filters(request, serializer_class) -> dict:
    """Validate query-string filters with a serializer: bad values are 400 field errors, like a body."""
    serializer = serializer_class(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data
