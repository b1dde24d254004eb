"""RFC 9457 problem details, for clients that send ``Accept: application/problem+json``.

The default error shapes stay the plan's (``{error, code}`` and ``{field: [message]}``); this module only
re-expresses them:

    {"type": "about:blank", "title": "Bad Request", "status": 400, "detail": "...", "code": "...",
     "errors": [{"pointer": "#/email", "code": "invalid", "detail": "Enter a valid email address."}]}

Request-level extras (``retry_after``, ``households``, ...) are kept as extension members.
"""

from http import HTTPStatus

from django.http import JsonResponse
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.response import Response

PROBLEM_JSON = "application/problem+json"
VALIDATION_DETAIL = "The request has invalid fields; see errors."


def wants_problem(request) -> bool:
    """True when the Accept header lists application/problem+json (with a non-zero q)."""
    for part in request.META.get("HTTP_ACCEPT", "").split(","):
        media, *params = (piece.strip() for piece in part.split(";"))
        if media.lower() == PROBLEM_JSON and not any(p.replace(" ", "") in ("q=0", "q=0.0") for p in params):
            return True
    return False


def _escape(key) -> str:
    return str(key).replace("~", "~0").replace("/", "~1")


def _flatten(detail, codes, pointer: str) -> list[dict]:
    """Field errors (a nested structure of message lists) -> a flat list of {pointer, code, detail}."""
    if isinstance(detail, dict):
        items = []
        for key, value in detail.items():
            child = pointer if key == "non_field_errors" else f"{pointer}/{_escape(key)}"
            items += _flatten(value, (codes or {}).get(key) if isinstance(codes, dict) else None, child)
        return items
    if isinstance(detail, list):
        if all(isinstance(item, str) for item in detail):
            code_list = codes if isinstance(codes, list) else [codes] * len(detail)
            return [
                {"pointer": pointer, "code": str(code or "invalid"), "detail": str(message)}
                for message, code in zip(detail, code_list, strict=False)
            ]
        items = []
        for index, value in enumerate(detail):
            code = codes[index] if isinstance(codes, list) and index < len(codes) else None
            items += _flatten(value, code, f"{pointer}/{index}")
        return items
    return [{"pointer": pointer, "code": str(codes or "invalid"), "detail": str(detail)}]


def problem_body(status: int, body: dict, *, field_errors=None) -> dict:
    """`body` is the default shape: {error, code, ...extras}, or field errors when `field_errors` (the
    matching codes) is given."""
    problem = {"type": "about:blank", "title": HTTPStatus(status).phrase, "status": status}
    if field_errors is not None:
        return {
            **problem,
            "detail": VALIDATION_DETAIL,
            "code": "invalid",
            "errors": _flatten(body, field_errors, "#"),
        }
    extras = {key: value for key, value in body.items() if key not in ("error", "code")}
    return {**problem, "detail": body["error"], "code": body["code"], **extras}


def problem_response(status: int, body: dict, *, field_errors=None, headers=None) -> Response:
    return Response(
        problem_body(status, body, field_errors=field_errors),
        status=status,
        headers=headers,
        content_type=PROBLEM_JSON,
    )


def json_error(request, status: int, message: str, code: str) -> JsonResponse:
    """An error answered outside DRF (URL resolver, middleware): the same two dialects."""
    body = {"error": message, "code": code}
    if request is not None and wants_problem(request):
        return JsonResponse(problem_body(status, body), status=status, content_type=PROBLEM_JSON)
    return JsonResponse(body, status=status)


class ProblemAwareNegotiation(DefaultContentNegotiation):
    """`Accept: application/problem+json` alone must not be a 406: our JSON renderer answers it."""

    def select_renderer(self, request, renderers, format_suffix=None):
        if wants_problem(request):
            accept = request.META.get("HTTP_ACCEPT", "")
            request.META["HTTP_ACCEPT"] = f"{accept}, application/json"
            try:
                return super().select_renderer(request, renderers, format_suffix)
            finally:
                request.META["HTTP_ACCEPT"] = accept
        return super().select_renderer(request, renderers, format_suffix)
