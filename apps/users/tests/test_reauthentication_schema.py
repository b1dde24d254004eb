"""The reauthentication endpoints and the 403 reauthentication_required are in the OpenAPI schema."""

import pytest
from drf_spectacular.generators import SchemaGenerator

pytestmark = pytest.mark.django_db

GATED = [
    ("/api/v1/auth/mfa/totp/", "post"),
    ("/api/v1/auth/mfa/totp/confirm/", "post"),
    ("/api/v1/auth/mfa/recovery-codes/", "post"),
    ("/api/v1/auth/email/change/", "post"),
    ("/api/v1/auth/sessions/revoke-others/", "post"),
    ("/api/v1/auth/me/", "delete"),
]
REAUTHENTICATE = [
    "/api/v1/auth/reauthenticate/password/",
    "/api/v1/auth/reauthenticate/email-code/request/",
    "/api/v1/auth/reauthenticate/email-code/",
    "/api/v1/auth/reauthenticate/mfa/",
]


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    with django_db_blocker.unblock():
        return SchemaGenerator().get_schema(request=None, public=True)


def _component(schema, response) -> dict:
    ref = response["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    return schema["components"]["schemas"][ref]


@pytest.mark.parametrize(("path", "method"), GATED)
def test_every_sensitive_change_documents_reauthentication_required(schema, path, method):
    body = _component(schema, schema["paths"][path][method]["responses"]["403"])
    assert _enum_of(schema, body["properties"]["code"]) == ["reauthentication_required"]
    methods = _enum_of(schema, body["properties"]["methods"]["items"])
    assert methods == ["password", "email_code", "totp", "recovery_code"]


def _enum_of(schema, holder: dict) -> list[str]:
    return schema["components"]["schemas"][holder["$ref"].rsplit("/", 1)[-1]]["enum"]


@pytest.mark.parametrize("path", REAUTHENTICATE)
def test_each_way_to_reauthenticate_is_documented(schema, path):
    responses = schema["paths"][path]["post"]["responses"]
    assert {"200", "401", "429"} <= set(responses)


def test_disabling_mfa_takes_its_proof_in_the_body_and_is_not_gated(schema):
    assert "403" not in schema["paths"]["/api/v1/auth/mfa/totp/disable/"]["post"]["responses"]
