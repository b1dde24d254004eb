"""Property-based: junk bodies (broken JSON, arbitrary JSON values, NULs, deep nesting) sent to every
operation with a body answer a 4xx JSON error, never a 500."""

import json
import re

import pytest
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from apps.users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _operations_with_a_body() -> list[tuple[str, str]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return sorted(
        (method.upper(), re.sub(r"\{[^}]+\}", "1", path))
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if "requestBody" in operation
    )


OPERATIONS = _operations_with_a_body()
scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20)
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
raw_bodies = st.one_of(
    json_values.map(json.dumps),
    st.text(max_size=60),  # mostly not JSON
    st.integers(1, 3000).map(lambda depth: "[" * depth + "]" * depth),
    st.text(alphabet="\x00abc@.", max_size=20).map(lambda text: json.dumps({"email": text, "code": text})),
)


@pytest.fixture
def clients(db, settings):
    settings.RATE_LIMITS = dict.fromkeys(settings.RATE_LIMITS, "100000/h")
    user = UserFactory(password="SecurePass123!")
    signed_in = APIClient()
    login = signed_in.post(
        "/api/v1/auth/login/", {"email": user.email, "password": "SecurePass123!"}, format="json"
    )
    signed_in.credentials(HTTP_AUTHORIZATION=f"Bearer {login.json()['access']}")
    return [APIClient(), signed_in]


@settings(
    max_examples=150, derandomize=True, deadline=None, database=None, suppress_health_check=list(HealthCheck)
)
@given(operation=st.sampled_from(OPERATIONS), body=raw_bodies, signed_in=st.booleans())
def test_junk_bodies_never_make_a_500(clients, operation, body, signed_in):
    method, path = operation
    response = clients[signed_in].generic(method, path, body, content_type="application/json")
    assert response.status_code < 500, (method, path, body, response.content[:300])
    if response.status_code >= 400:
        assert response["Content-Type"].startswith("application/json"), (method, path)
