"""The account-lifecycle endpoints are in the OpenAPI schema with their bodies and error responses."""

import pytest
from drf_spectacular.generators import SchemaGenerator

pytestmark = pytest.mark.django_db

BODY = {"413", "415"}  # every operation with a JSON body: too large, not JSON
EXPECTED = {
    ("/api/v1/auth/password/reset/", "post"): {"200", "400", "429", *BODY},
    ("/api/v1/auth/password/reset/confirm/", "post"): {"200", "400", "429", *BODY},
    ("/api/v1/auth/password/change/", "post"): {"200", "400", "401", "429", *BODY},
    ("/api/v1/auth/email/change/", "post"): {"200", "400", "401", "403", "409", "429", *BODY},
    ("/api/v1/auth/email/change/confirm/", "post"): {"200", "400", "401", "403", "409", "429", *BODY},
    ("/api/v1/auth/email/change/cancel/", "post"): {"200", "400", "409", "429", *BODY},
    ("/api/v1/auth/me/", "delete"): {"204", "400", "401", "403", "409", "429", *BODY},
    ("/api/v1/auth/sessions/", "get"): {"200", "401"},
    ("/api/v1/auth/sessions/{session_id}/", "delete"): {"204", "401", "404"},
    ("/api/v1/auth/sessions/revoke-others/", "post"): {"200", "401", "403"},
}


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    with django_db_blocker.unblock():
        return SchemaGenerator().get_schema(request=None, public=True)


@pytest.mark.parametrize(("path", "method"), sorted(EXPECTED))
def test_endpoint_documents_its_responses(schema, path, method):
    operation = schema["paths"][path][method]
    assert set(operation["responses"]) == EXPECTED[(path, method)]


def test_account_deletion_documents_its_password_or_code_body(schema):
    body = schema["paths"]["/api/v1/auth/me/"]["delete"]["requestBody"]
    ref = body["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert set(schema["components"]["schemas"][ref]["properties"]) == {"password", "code"}


def test_reset_confirm_accepts_a_token_or_an_email_and_code(schema):
    ref = schema["paths"]["/api/v1/auth/password/reset/confirm/"]["post"]["requestBody"]["content"][
        "application/json"
    ]["schema"]["$ref"].rsplit("/", 1)[-1]
    properties = schema["components"]["schemas"][ref]["properties"]
    assert {"token", "email", "code", "new_password", "new_password_confirm"} <= set(properties)


def test_the_email_change_refusal_codes_are_in_the_schema(schema):
    confirm = schema["paths"]["/api/v1/auth/email/change/confirm/"]["post"]["responses"]
    assert "email_change_void" in confirm["400"]["description"]
    assert "email_change_other_session" in confirm["403"]["description"]
    cancel = schema["paths"]["/api/v1/auth/email/change/cancel/"]["post"]["responses"]
    assert "email_change_applied" in cancel["409"]["description"]
    ref = schema["paths"]["/api/v1/auth/email/change/confirm/"]["post"]["requestBody"]["content"][
        "application/json"
    ]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert {"token", "code", "address"} <= set(schema["components"]["schemas"][ref]["properties"])
