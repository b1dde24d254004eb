"""Domain errors and the one handler that turns every API exception into a JSON body."""

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.db import transaction
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler, set_rollback

logger = logging.getLogger(__name__)


class ApplicationError(Exception):
    """A domain rule said no. Services raise it; the handler answers {error, code} with `status_code`."""

    status_code = status.HTTP_400_BAD_REQUEST
    code = "invalid"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        status_code: int | None = None,
        extra: dict | None = None,
    ):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        if status_code:
            self.status_code = status_code
        self.extra = extra or {}


class NotFound(ApplicationError):
    status_code = status.HTTP_404_NOT_FOUND
    code = "not_found"


class Forbidden(ApplicationError):
    status_code = status.HTTP_403_FORBIDDEN
    code = "permission_denied"


class Conflict(ApplicationError):
    status_code = status.HTTP_409_CONFLICT
    code = "conflict"


class AuthenticationFailed(ApplicationError):
    status_code = status.HTTP_401_UNAUTHORIZED
    code = "authentication_failed"


def _error_body(message, code) -> dict:
    return {"error": str(message), "code": str(code)}


def api_exception_handler(exc, context):
    if isinstance(exc, ApplicationError):
        set_rollback()
        return Response({**_error_body(exc.message, exc.code), **exc.extra}, status=exc.status_code)
    if isinstance(exc, RequestDataTooBig):
        set_rollback()
        return Response(
            _error_body("Request body too large.", "too_large"),
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(exc, SuspiciousOperation):
        set_rollback()
        return Response(_error_body("Bad request.", "bad_request"), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    if isinstance(exc, exceptions.ValidationError):
        response = exception_handler(exc, context)
        if isinstance(response.data, list):
            response.data = {"non_field_errors": response.data}
        return response

    if isinstance(exc, exceptions.APIException):
        response = exception_handler(exc, context)
        detail = exc.detail if isinstance(exc.detail, str) else response.data
        response.data = _error_body(
            detail, exc.get_codes() if isinstance(exc.detail, str) else exc.default_code
        )
        if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
            response.data["retry_after"] = int(exc.wait) + (0 if exc.wait == int(exc.wait) else 1)
        return response

    logger.exception("Unhandled error in %s", context.get("view").__class__.__name__, exc_info=exc)
    if transaction.get_connection().in_atomic_block:
        set_rollback()
    message = f"{type(exc).__name__}: {exc}" if settings.DEBUG else "Internal server error."
    return Response(_error_body(message, "server_error"), status=status.HTTP_500_INTERNAL_SERVER_ERROR)
