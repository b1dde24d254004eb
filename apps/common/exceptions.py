"""Domain errors: what a service raises when a rule says no. The one handler (apps.common.exception_handler)
turns each into the response its class describes, so no view needs a try/except and no service knows HTTP
beyond a status number.

This module imports nothing from the web layer; apps/common/tests/test_layering.py keeps it (and every
service and selector) that way.
"""

import math
from collections.abc import Mapping, Sequence
from http import HTTPStatus


class ApplicationError(Exception):
    """A domain rule said no. Services raise it; the handler answers {error, code} with `status_code`."""

    status_code: int = HTTPStatus.BAD_REQUEST
    code: str = "invalid"

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
    status_code = HTTPStatus.NOT_FOUND
    code = "not_found"


class Forbidden(ApplicationError):
    status_code = HTTPStatus.FORBIDDEN
    code = "permission_denied"


class Conflict(ApplicationError):
    status_code = HTTPStatus.CONFLICT
    code = "conflict"


class AuthenticationFailed(ApplicationError):
    status_code = HTTPStatus.UNAUTHORIZED
    code = "authentication_failed"


class ReauthenticationRequired(ApplicationError):
    """Signed in, but a sensitive change needs a fresh proof of identity on this session first.

    403, not 401: the access token is valid and a refresh would not help. `methods` (in the body) lists the
    ways this account can reauthenticate.
    """

    status_code = HTTPStatus.FORBIDDEN
    code = "reauthentication_required"

    def __init__(self, message: str, *, methods: list[str]):
        super().__init__(message, extra={"methods": list(methods)})


class RateLimited(ApplicationError):
    """Too many tries, or a pause is on: answered exactly like a throttle's 429 (`retry_after` in the body,
    the Retry-After header), so a client handles every limit one way. `wait` is in seconds, rounded up."""

    status_code = HTTPStatus.TOO_MANY_REQUESTS
    code = "throttled"

    def __init__(self, *, wait: float | None):
        self.wait = None if wait is None else math.ceil(wait)
        super().__init__("Request was throttled.")


class InvalidInput(ApplicationError):
    """Input that only the service can judge (a currency's minor unit, the household's today, an address
    taken meanwhile, the password rules): a 400 in a serializer's field-error shape,
    {"<field>": ["<message>", ...]}, each message with `code`."""

    def __init__(self, errors: Mapping[str, str | Sequence[str]], *, code: str = "invalid"):
        self.errors = {
            field: [messages] if isinstance(messages, str) else list(messages)
            for field, messages in errors.items()
        }
        super().__init__(" ".join(m for messages in self.errors.values() for m in messages), code=code)


def field_error(field: str, message: str, *, code: str) -> InvalidInput:
    """A 400 on one field, for rules a service checks."""
    return InvalidInput({field: message}, code=code)
