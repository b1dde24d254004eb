"""The OpenAPI schema documents registration and verification with their error responses."""

import pytest
from drf_spectacular.generators import SchemaGenerator


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def ref_name(response) -> str:
    return response["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]


def body(response) -> dict:
    return response["content"]["application/json"]["schema"]


def codes(schema) -> list[str]:
    return schema["properties"]["code"]["enum"]


def test_register_documents_201_field_errors_and_429(schema):
    responses = schema["paths"]["/api/v1/auth/register/"]["post"]["responses"]
    assert set(responses) == {"201", "400", "413", "415", "429"}
    field_errors, envelope = body(responses["400"])["oneOf"]  # never both in one body
    assert {"email", "password", "password_confirm"} <= set(field_errors["properties"])
    assert codes(envelope) == ["parse_error"]
    assert codes(body(responses["429"])) == ["throttled"]
    created = schema["components"]["schemas"][ref_name(responses["201"])]
    assert set(created["properties"]) == {"message", "email", "user_id"}
    request = schema["paths"]["/api/v1/auth/register/"]["post"]["requestBody"]["content"]["application/json"]
    fields = schema["components"]["schemas"][request["schema"]["$ref"].rsplit("/", 1)[-1]]
    assert set(fields["required"]) == {"email", "password", "password_confirm"}


@pytest.mark.parametrize("method", ["get", "post"])
def test_verify_email_documents_the_error_body_not_field_errors(schema, method):
    operation = schema["paths"]["/api/v1/auth/verify-email/"][method]
    assert {"200", "400", "429"} <= set(operation["responses"])
    assert "oneOf" not in body(operation["responses"]["400"])
    assert {"token_required", "invalid_token", "expired"} <= set(codes(body(operation["responses"]["400"])))
    assert "expired" in operation["responses"]["400"]["description"]


def test_verify_email_get_takes_the_token_as_a_query_parameter(schema):
    [parameter] = schema["paths"]["/api/v1/auth/verify-email/"]["get"]["parameters"]
    assert (parameter["name"], parameter["in"], parameter["required"]) == ("token", "query", True)


def test_resend_documents_one_200_body_field_errors_and_429(schema):
    responses = schema["paths"]["/api/v1/auth/resend-verification/"]["post"]["responses"]
    assert set(responses) == {"200", "400", "413", "415", "429"}
    assert set(schema["components"]["schemas"][ref_name(responses["200"])]["properties"]) == {"message"}
