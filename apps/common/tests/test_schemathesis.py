"""The live /api/schema/ is the truth: schemathesis sends schema-valid and schema-violating requests to
every operation and checks each answer against the schema (status, content type, headers, body).

Bounded: a fixed number of examples per operation, derandomized, so each run (SQLite and Postgres in CI)
takes a minute or two. Checks excluded, and why:
- positive_data_acceptance: schema-valid data is still refused by domain rules (a wrong code, a taken
  address, an unknown id) with a documented 4xx; that is the contract, not a bug.
- negative_data_rejection: DRF's lenient parsing accepts some schema-violating input on purpose: a number
  where a string is declared (`"last_name": 0` is stored as "0"), an invalid `page_size` falls back to the
  default, an empty filter is no filter. Negative data is still sent to every operation, and every answer
  must be documented, match its schema and never be a 500.
- use_after_free / ensure_resource_availability: stateful checks, for which this test makes no links.
"""

import contextlib

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from rest_framework.test import APIClient
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi import checks

from apps.users.tests.factories import UserFactory

EXCLUDED = [
    checks.positive_data_acceptance,
    checks.negative_data_rejection,
    checks.use_after_free,
    checks.ensure_resource_availability,
]
MAX_EXAMPLES = 12


# Loaded once, at collection: the schema view needs no database.
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())
schema.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE])


@contextlib.contextmanager
def wsgi_keeps_the_test_connection():
    """As Django's test client does: a request through the WSGI app must not close the test's connection."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def bearer(db, settings):
    settings.RATE_LIMITS = dict.fromkeys(settings.RATE_LIMITS, "100000/h")
    user = UserFactory(password="SecurePass123!")
    login = APIClient().post(
        "/api/v1/auth/login/", {"email": user.email, "password": "SecurePass123!"}, format="json"
    )
    return {"Authorization": f"Bearer {login.json()['access']}"}


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
@pytest.mark.django_db(transaction=False)
def test_every_operation_answers_as_its_schema_says(case, bearer):
    with wsgi_keeps_the_test_connection():
        case.call_and_validate(headers=bearer, excluded_checks=EXCLUDED)
