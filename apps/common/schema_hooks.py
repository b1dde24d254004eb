"""Schema post-processing: operationIds, response headers, the Problem component and examples."""

import re

from apps.common.examples import example_for

REQUEST_ID = {
    "X-Request-ID": {
        "schema": {"type": "string"},
        "description": "The request's id (yours if you sent a valid X-Request-ID): quote it when reporting.",
    }
}
PROBLEM = {
    "type": "object",
    "description": "RFC 9457 problem details, answered instead when the request says "
    "`Accept: application/problem+json`.",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "code": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "pointer": {"type": "string", "description": "JSON pointer into the body, e.g. #/email."},
                    "code": {"type": "string"},
                    "detail": {"type": "string"},
                },
                "required": ["pointer", "code", "detail"],
            },
        },
    },
    "required": ["type", "title", "status", "detail", "code"],
}
CONTENT_DISPOSITION = {
    "schema": {"type": "string"},
    "description": 'attachment; filename="<report file name>.csv"',
}
VERB = {"PATCH": "Update", "PUT": "Replace", "DELETE": "Delete"}


def _camel(path: str) -> str:
    words = []
    for segment in path.removeprefix("/api/v1/").split("/"):
        if segment and not segment.startswith("{"):
            words += re.split(r"[-_]", segment)
    return words[0] + "".join(word.capitalize() for word in words[1:])


def operation_id(path: str, method: str, old_id: str, collection: bool) -> str:
    """GET /api/v1/bills/ -> billsList, POST /api/v1/auth/otp/verify/ -> authOtpVerify."""
    base = _camel(path)
    if method == "GET":
        return base + ("List" if old_id.endswith("_list") else "Retrieve")
    if method == "POST":
        return base + ("Create" if collection else "")
    return base + VERB[method]


def postprocess(result, generator, request, public):
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Problem"] = PROBLEM
    for path, operations in result["paths"].items():
        collection = operations.get("get", {}).get("operationId", "").endswith("_list")
        for method, operation in operations.items():
            operation["operationId"] = operation_id(
                path, method.upper(), operation["operationId"], collection
            )
            for status, response in operation["responses"].items():
                response["headers"] = {**response.get("headers", {}), **REQUEST_ID}
                media = response.get("content", {})
                if any(content_type.startswith("text/csv") for content_type in media):
                    response["headers"]["Content-Disposition"] = CONTENT_DISPOSITION
                for body in media.values():
                    if status.startswith("2") and "example" not in body and "examples" not in body:
                        value = example_for(body.get("schema"), schemas)
                        if value is not None:
                            body["example"] = value
            for body in operation.get("requestBody", {}).get("content", {}).values():
                if "example" not in body and "examples" not in body:
                    value = example_for(body.get("schema"), schemas, request=True)
                    if value is not None:
                        body["example"] = value
    return result
