"""The one handler that turns every API exception, and every domain error (apps.common.exceptions), into a
JSON body.

Two shapes, never mixed in one body (docs/INTEGRATING.md):
- a request-level error: ``{"error": "<sentence>", "code": "<code>", ...documented extras}``;
- field errors (a serializer said no): ``{"<field>": ["<message>", ...], ...}``.
A client that sends ``Accept: application/problem+json`` gets RFC 9457 problem details instead
(apps.common.problems), with field errors as ``errors: [{pointer, code, detail}]``.

The handler rolls nothing back: requests are not wrapped in a transaction (ATOMIC_REQUESTS is off), each
service opens its own, and an error raised inside it has rolled it back before it reaches here
(docs/TRANSACTIONS.md).
"""

import logging
import math
from typing import cast

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.http import Http404
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, status
from rest_framework.exceptions import ErrorDetail
from rest_framework.response import Response
from rest_framework.views import exception_handler
from rest_framework_simplejwt import exceptions as jwt_exceptions

from apps.common.exceptions import ApplicationError, InvalidInput, RateLimited
from apps.common.problems import problem_response, wants_problem

logger = logging.getLogger(__name__)


# simplejwt's errors carry a dict detail ({detail, code, messages}); each becomes one sentence and one code.
TOKEN_EXPIRED = ("The access token has expired; refresh it and try again.", "token_expired")
TOKEN_INVALID = ("The access token is invalid.", "token_invalid")
ACCOUNT_INACTIVE = ("This account is inactive.", "account_inactive")
BAD_AUTHORIZATION_HEADER = (
    "The Authorization header must be 'Bearer <access token>'.",
    "bad_authorization_header",
)
_JWT_CODES = {
    "user_inactive": ACCOUNT_INACTIVE,
    "bad_authorization_header": BAD_AUTHORIZATION_HEADER,
}


def _jwt_error(detail: dict) -> tuple[str, str]:
    """simplejwt's dict detail -> (sentence, code). Expiry is told apart by its message: the only marker
    simplejwt keeps once it has tried every token class."""
    code = str(detail.get("code", ""))
    if code in _JWT_CODES:
        return _JWT_CODES[code]
    expired = str(gettext_lazy("Token is expired"))
    for item in detail.get("messages") or []:
        if isinstance(item, dict) and str(item.get("message", "")) == expired:
            return TOKEN_EXPIRED
    return TOKEN_INVALID


def _error_body(message, code, extra: dict | None = None) -> dict:
    return {"error": str(message), "code": str(code), **(extra or {})}


def _request(context):
    return (context or {}).get("request")


def _answer(context, status_code: int, body: dict, *, field_errors=None, headers=None) -> Response:
    """The default shape, or problem details when the client asked for them."""
    request = _request(context)
    if request is not None and wants_problem(request):
        return problem_response(status_code, body, field_errors=field_errors, headers=headers)
    return Response(body, status=status_code, headers=headers)


def _drf_response(exc: exceptions.APIException, context) -> Response:
    """DRF's own answer, which it gives for every APIException (None is for other exceptions)."""
    return cast(Response, exception_handler(exc, context))


def _retry_after(wait: float | None) -> int | None:
    return None if wait is None else max(1, math.ceil(wait))


def _as_drf(exc: InvalidInput | RateLimited) -> exceptions.APIException:
    """The DRF error that has always answered this case, so its body and headers stay byte for byte."""
    if isinstance(exc, RateLimited):
        return exceptions.Throttled(wait=exc.wait)
    return exceptions.ValidationError(
        {
            field: [ErrorDetail(message, code=exc.code) for message in messages]
            for field, messages in exc.errors.items()
        }
    )


def api_exception_handler(exc, context):
    if isinstance(exc, InvalidInput | RateLimited):
        exc = _as_drf(exc)
    elif isinstance(exc, ApplicationError):
        return _answer(context, int(exc.status_code), _error_body(exc.message, exc.code, exc.extra))
    if isinstance(exc, RequestDataTooBig):
        return _answer(
            context,
            status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
            _error_body("Request body too large.", "too_large"),
        )
    if isinstance(exc, SuspiciousOperation):
        return _answer(context, status.HTTP_400_BAD_REQUEST, _error_body("Bad request.", "bad_request"))
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    if isinstance(exc, exceptions.ValidationError):
        response = _drf_response(exc, context)
        data = response.data
        if isinstance(data, list):
            data = {"non_field_errors": data}
        codes = exc.get_codes()
        if isinstance(codes, list):
            codes = {"non_field_errors": codes}
        request = _request(context)
        if request is not None and wants_problem(request):
            return problem_response(400, data, field_errors=codes)
        response.data = data
        return response

    if isinstance(exc, exceptions.APIException):
        response = _drf_response(exc, context)
        message: object
        code: object
        if isinstance(exc.detail, dict) and "detail" in exc.detail:
            message, code = (
                _jwt_error(exc.detail) if _is_jwt(exc) else (exc.detail["detail"], exc.default_code)
            )
        elif isinstance(exc.detail, str):
            message, code = exc.detail, exc.detail.code or exc.default_code
        else:
            message, code = exc.default_detail, exc.default_code
        if code == "token_not_valid":
            message, code = TOKEN_INVALID
        body = _error_body(message, code)
        wait = getattr(exc, "wait", None)  # Throttled's; not in djangorestframework-stubs
        if isinstance(exc, exceptions.Throttled) and wait is not None:
            body["retry_after"] = _retry_after(wait)
        headers = dict(response.items())
        return _answer(context, response.status_code, body, headers=headers)

    logger.error("Unhandled error in %s", context.get("view").__class__.__name__, exc_info=exc)
    message = f"{type(exc).__name__}: {exc}" if settings.DEBUG else "Internal server error."
    return _answer(context, status.HTTP_500_INTERNAL_SERVER_ERROR, _error_body(message, "server_error"))


def _is_jwt(exc) -> bool:
    return isinstance(exc, jwt_exceptions.DetailDictMixin)
