"""The JSON parser, with deep nesting refused as a parse error instead of a RecursionError (a 500)."""

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

MAX_DEPTH = 32


def _depth_ok(value, limit: int) -> bool:
    """Iterative, so checking a deep document cannot itself recurse too deep."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > limit:
                return False
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return True


class SafeJSONParser(JSONParser):
    """No request body of ours nests deeper than a few levels; past MAX_DEPTH it is refused with 400.

    Without this, ~1000 nested arrays make json.loads raise RecursionError on every JSON endpoint,
    authenticated or not.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError("JSON parse error - the document is nested too deeply.") from exc
        if not _depth_ok(data, MAX_DEPTH):
            raise ParseError(f"JSON parse error - the document is nested deeper than {MAX_DEPTH} levels.")
        return data
