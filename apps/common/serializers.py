"""Strict writes: the one place that refuses fields a write does not accept.

DRF ignores keys a serializer does not declare and read-only fields, so `PATCH /auth/me/ {"email": …}` or a
bill's `{"household": …}` would answer 200 having silently done nothing. Every serializer that reads a request
body derives from `InputSerializer` (a test walks the API schema to check it), which answers 400 naming each
such field instead.
"""

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from rest_framework import serializers
from rest_framework.request import Request

from apps.common.one_time_secrets import SIX_DIGITS

# The mixin goes before a Serializer in the bases; the type checker reads it as one.
if TYPE_CHECKING:
    _MixinBase = serializers.Serializer
else:
    _MixinBase = object

NOT_WRITABLE = "This field cannot be written here."


class StrictFieldsMixin(_MixinBase):
    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            writable = {name for name, field in self.fields.items() if not field.read_only}
            refused = sorted(key for key in data if key not in writable)
            if refused:
                hint = f" Writable fields: {', '.join(sorted(writable))}." if writable else ""
                raise serializers.ValidationError(
                    {
                        key: [serializers.ErrorDetail(NOT_WRITABLE + hint, code="not_writable")]
                        for key in refused
                    }
                )
        return super().to_internal_value(data)


# The base of every serializer that validates a request body. (No docstring: drf-spectacular would show an
# inherited one as the description of each request schema.)
class InputSerializer(StrictFieldsMixin, serializers.Serializer):
    pass


def validated_body(
    request: Request, serializer_class: type[serializers.Serializer], /, **context: Any
) -> dict[str, Any]:
    """The request body validated by `serializer_class` (an InputSerializer), as a fresh dict the API may
    change; bad input raises the 400 field errors. `context` goes to the serializer."""
    serializer = serializer_class(data=request.data, context=context)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class CodeField(serializers.RegexField):
    """A six-digit code from an email or an authenticator app: six ASCII digits and nothing else.

    Anchored with `\\Z`, not `$` (which also matches before a trailing newline). Surrounding spaces are
    trimmed first, as for every CharField, since people paste codes.
    """

    def __init__(self, *, message: str = "Enter the 6-digit code.", **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 6)
        kwargs.setdefault("error_messages", {"invalid": message})
        super().__init__(rf"^{SIX_DIGITS.pattern}\Z", **kwargs)
