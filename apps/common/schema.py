"""Shared OpenAPI response declarations."""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

ErrorBody = inline_serializer(
    "Error", fields={"error": serializers.CharField(), "code": serializers.CharField()}
)
ValidationErrorBody = inline_serializer(
    "ValidationError",
    fields={"field_name": serializers.ListField(child=serializers.CharField(), required=False)},
)

BAD_REQUEST = OpenApiResponse(ValidationErrorBody, description="Validation failed: messages per field.")
UNAUTHORIZED = OpenApiResponse(
    ErrorBody,
    description=(
        "Not authenticated or credentials invalid. For a bearer token, `code` is `not_authenticated` (none "
        "sent), `bad_authorization_header`, `token_expired` (refresh it), `token_invalid` (malformed, or "
        "naming no session), `account_inactive`, or `session_revoked` (its login session was signed out: "
        "logout, revocation, password change or reset, refresh-token reuse, account deletion; refreshing is "
        "refused too, so sign in again)."
    ),
)
FORBIDDEN = OpenApiResponse(ErrorBody, description="Not allowed (e.g. a read-only role in the household).")
NOT_FOUND = OpenApiResponse(ErrorBody, description="Not found (or not visible to you).")
CONFLICT = OpenApiResponse(ErrorBody, description="Conflicts with the current state.")
GONE = OpenApiResponse(ErrorBody, description="No longer available (e.g. an expired invitation).")
THROTTLED = OpenApiResponse(ErrorBody, description="Rate limited; see the Retry-After header.")


def errors(*codes: int) -> dict:
    table = {
        400: BAD_REQUEST,
        401: UNAUTHORIZED,
        403: FORBIDDEN,
        404: NOT_FOUND,
        409: CONFLICT,
        410: GONE,
        429: THROTTLED,
    }
    return {code: table[code] for code in codes}


class BodyOnDeleteSchema(AutoSchema):
    """Documents a request body on DELETE too (drf-spectacular only does for POST, PUT and PATCH).

    For endpoints like DELETE /auth/me/ that need a confirmation (a password) in the body.
    """

    def _get_request_body(self, direction="request"):
        if self.method != "DELETE":
            return super()._get_request_body(direction)
        self.method = "POST"
        try:
            return super()._get_request_body(direction)
        finally:
            self.method = "DELETE"
