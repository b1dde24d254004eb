import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_openapi_schema_generates_without_warnings(tmp_path):
    """Every endpoint declares its request, responses and path parameters well enough for a clean schema."""
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    assert "/api/v1/households/{household_id}/members/{user_id}/" in (tmp_path / "schema.yaml").read_text()
