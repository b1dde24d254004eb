"""The OpenAPI schema's error model: every status an operation can answer, each `code` enumerated.

Statuses and codes come from two places:
- what every operation of a kind can answer, read off the view (apps.common.error_codes.generic_codes):
  401 when it authenticates, 404 with a path parameter or a page, 400/413/415 with a JSON body,
  429 when it is throttled;
- its domain codes: the operation's line in apps.common.error_codes.OPERATION_CODES, or codes passed to
  `errors(...)` in its `@extend_schema(responses=...)`. A code's status comes from CATALOG.

A 400 that can be either shape is a `oneOf` of the field errors and the `{error, code}` envelope.
"""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

from apps.common import error_codes

ErrorBody = inline_serializer(
    "Error", fields={"error": serializers.CharField(), "code": serializers.CharField()}
)


class _Declared(OpenApiResponse):
    """What `errors(...)` puts in an extend_schema: a status this operation answers."""

    def __init__(self):
        super().__init__(ErrorBody)


def errors(*statuses: int) -> dict:
    """`**errors(403, 409)`: statuses this operation answers besides those the schema derives from the view
    (their codes: OPERATION_CODES; 403 alone means DRF's permission_denied)."""
    return {status: _Declared() for status in statuses}


class KinwiseAutoSchema(AutoSchema):
    """drf-spectacular's AutoSchema with our error responses and non-stuttering component names."""

    def _get_serializer_name(self, serializer, direction, bypass_extensions=False) -> str:
        name = super()._get_serializer_name(serializer, direction, bypass_extensions)
        base = name.removesuffix("Request")
        if direction == "request" and base != name and base.endswith(("Input", "Request")):
            return base  # ReportRequestRequest -> ReportRequest, LoginInputRequest -> LoginInput
        return name

    def _handler(self):
        action = getattr(self.view, "action", None)
        return getattr(self.view, action or self.method.lower(), None)

    def _declared(self) -> dict[int, set[str]]:
        """Statuses named in the operation's extend_schema, with the codes OPERATION_CODES gives them."""
        declared: dict[int, set[str]] = {}
        responses = self.get_response_serializers()
        if isinstance(responses, dict):
            for key in responses:
                status = int(key[0] if isinstance(key, tuple) else key)
                if status >= 400:
                    declared[status] = set()
        for status, codes in error_codes.operation_codes(self.method, self.path).items():
            declared.setdefault(status, set()).update(codes)
        if declared.get(403) == set():
            declared[403] = {"permission_denied"}
        return declared

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        codes = error_codes.generic_codes(self)
        for status, declared in self._declared().items():
            codes.setdefault(status, set()).update(declared)
        field_errors = self._field_errors_schema()
        for status in sorted(codes):
            described = responses.get(str(status), {}).get("description")
            generated = error_codes.response_for(
                status,
                sorted(codes[status]),
                field_errors=field_errors if status == 400 and self._has_field_errors() else None,
                description=described,
            )
            own = self._own_error_body(responses.get(str(status)))
            if own is not None:  # the view documents this status with a body of its own: keep it
                generated["content"]["application/json"] = own
            responses[str(status)] = generated
        return dict(sorted(responses.items()))

    @staticmethod
    def _own_error_body(response: dict | None) -> dict | None:
        """A component the view gave this error status itself (e.g. ReauthenticationRequired), not Error."""
        body = ((response or {}).get("content") or {}).get("application/json") or {}
        ref = (body.get("schema") or {}).get("$ref", "")
        return body if ref and ref.rsplit("/", 1)[-1] != "Error" else None

    body_methods: tuple[str, ...] = ("POST", "PUT", "PATCH")

    def request_fields(self) -> dict[str, bool] | None:
        """The JSON body's writable fields (name -> can its errors nest); None when it takes no body."""
        if self.method not in self.body_methods:
            return None
        serializer = self.get_request_serializer()
        if serializer is None:
            return None
        if isinstance(serializer, type):
            serializer = serializer()
        fields = getattr(serializer, "fields", None)
        if fields is None:
            return {}
        nesting = (
            serializers.BaseSerializer,
            serializers.ListField,
            serializers.DictField,
            serializers.JSONField,
        )
        return {name: isinstance(field, nesting) for name, field in fields.items() if not field.read_only}

    def _has_field_errors(self) -> bool:
        """A body or query filters, or `errors(400)` in the extend_schema: a 400 may be field errors."""
        if error_codes.FIELD_ERRORS in error_codes.generic_codes(self).get(400, set()):
            return True
        responses = self.get_response_serializers()
        return isinstance(responses, dict) and isinstance(responses.get(400), _Declared)

    def _field_errors_schema(self) -> dict:
        return error_codes.field_errors_schema(self.request_fields())


class BodyOnDeleteSchema(KinwiseAutoSchema):
    body_methods = ("POST", "PUT", "PATCH", "DELETE")
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
