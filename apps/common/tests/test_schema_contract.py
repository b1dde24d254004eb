"""The schema a frontend generates its client from: names, tags, headers, examples, enumerated codes."""

import re

import pytest
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

from apps.common.error_codes import CATALOG

METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    with django_db_blocker.unblock():
        generated = SchemaGenerator().get_schema(request=None, public=True)
    validate_schema(generated)
    return generated


def operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, operation


def test_operation_ids_are_unique_camel_case_names(schema):
    ids = [operation["operationId"] for _, _, operation in operations(schema)]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z]+(?:[A-Z][a-z]+)*", operation_id) for operation_id in ids), ids
    named = {(path, method): op["operationId"] for path, method, op in operations(schema)}
    assert named[("/api/v1/auth/otp/verify/", "post")] == "authOtpVerify"
    assert named[("/api/v1/bills/", "get")] == "billsList"
    assert named[("/api/v1/bills/", "post")] == "billsCreate"
    assert named[("/api/v1/bills/{bill_id}/", "patch")] == "billsUpdate"


def test_component_names_do_not_stutter(schema):
    names = list(schema["components"]["schemas"])
    assert "ReportRequest" in names
    assert "LoginInput" in names
    assert not [name for name in names if re.search(r"(Request|Input)Request$", name)]


def test_every_tag_has_a_description(schema):
    described = {tag["name"]: tag.get("description") for tag in schema.get("tags", [])}
    used = {tag for _, _, operation in operations(schema) for tag in operation.get("tags", [])}
    assert used <= {name for name, text in described.items() if text}


def test_every_operation_has_a_request_and_a_success_example(schema):
    for path, method, operation in operations(schema):
        for media in operation.get("requestBody", {}).get("content", {}).values():
            assert "example" in media or "examples" in media, (method, path)
        successes = [r for status, r in operation["responses"].items() if status.startswith("2")]
        for response in successes:
            for media in response.get("content", {}).values():
                assert "example" in media or "examples" in media, (method, path)


def test_headers_are_declared(schema):
    for path, method, operation in operations(schema):
        for status, response in operation["responses"].items():
            assert "X-Request-ID" in response["headers"], (method, path, status)
            if status == "429":
                assert "Retry-After" in response["headers"]
    download = schema["paths"]["/api/v1/reports/{report_id}/download/"]["get"]["responses"]["200"]
    assert "Content-Disposition" in download["headers"]


def _resolved(schema, holder: dict) -> dict:
    if "$ref" in holder:
        return schema["components"]["schemas"][holder["$ref"].rsplit("/", 1)[-1]]
    return holder


def _envelopes(schema, response):
    body = response.get("content", {}).get("application/json", {}).get("schema", {})
    for entry in body.get("oneOf", [body]):
        candidate = _resolved(schema, entry)
        if "error" in candidate.get("properties", {}):
            yield candidate


def test_every_error_code_is_enumerated_and_catalogued(schema):
    for path, method, operation in operations(schema):
        for status, response in operation["responses"].items():
            if int(status) < 400:
                continue
            envelopes = list(_envelopes(schema, response))
            body = response["content"]["application/json"]["schema"]
            assert envelopes or (status == "400" and "additionalProperties" in body), (method, path, status)
            for envelope in envelopes:
                codes = _resolved(schema, envelope["properties"]["code"])["enum"]
                assert codes, (method, path, status, codes)
                assert set(codes) <= set(CATALOG), (method, path, status, codes)


def test_expected_statuses_are_documented(schema):
    paths = schema["paths"]
    assert "429" in paths["/api/v1/auth/mfa/"]["get"]["responses"]
    assert "429" in paths["/api/v1/auth/logout/"]["post"]["responses"]
    assert "404" in paths["/api/v1/bills/"]["get"]["responses"]  # past the last page
    for path, method, operation in operations(schema):
        if "requestBody" in operation:
            assert {"400", "413", "415"} <= set(operation["responses"]), (method, path)
        if operation.get("security") and {} not in operation["security"]:
            assert "401" in operation["responses"], (method, path)


def test_request_properties_with_defaults_are_not_required(schema):
    for name, component in schema["components"]["schemas"].items():
        for prop, definition in component.get("properties", {}).items():
            if "default" in definition and not definition.get("readOnly"):
                assert prop not in component.get("required", []), (name, prop)
