"""config.settings.production, exercised the way an operator runs it: in its own process."""

import json

from tests.production import production_env, run_production

CLIENT_SNIPPET = """
import json, django
django.setup()
from django.test import Client
client = Client()
out = {}
for name, path, headers in REQUESTS:
    r = client.get(path, **headers)
    hsts = r.get("Strict-Transport-Security")
    out[name] = {"status": r.status_code, "location": r.get("Location"), "hsts": hsts}
print(json.dumps(out))
"""

REQUESTS = [
    ("plain_http", "/api/v1/auth/me/", {}),
    ("claims_https", "/api/v1/auth/me/", {"HTTP_X_FORWARDED_PROTO": "https"}),
    ("probe_by_ip", "/healthz", {"HTTP_HOST": "10.0.0.7:8000"}),
]


def _requests_under(env) -> dict:
    result = run_production(["-c", f"REQUESTS = {REQUESTS!r}\n{CLIENT_SNIPPET}"], env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_check_deploy_is_clean_with_production_values(tmp_path):
    result = run_production(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_env(tmp_path)
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_turning_off_the_https_redirect_silences_only_that_warning(tmp_path):
    env = production_env(tmp_path, SECURE_SSL_REDIRECT="False")
    result = run_production(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues (1 silenced)" in result.stdout


def test_check_deploy_names_each_development_leftover(tmp_path):
    env = production_env(
        tmp_path,
        REDIS_URL="",
        CELERY_BROKER_URL="",
        EMAIL_HOST="",
        FRONTEND_URL="http://localhost:3000",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        SECURE_HSTS_SECONDS="0",
    )
    result = run_production(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)
    assert result.returncode != 0
    for check_id in (
        "kinwise.W001",
        "kinwise.W002",
        "kinwise.W003",
        "kinwise.W004",
        "kinwise.W005",
        "security.W004",
    ):
        assert check_id in result.stderr, check_id


def test_production_refuses_debug(tmp_path):
    result = run_production(["manage.py", "check"], production_env(tmp_path, DEBUG="True"))
    assert result.returncode != 0
    assert "DEBUG must be off in production" in result.stderr


def test_production_refuses_a_weak_secret_key(tmp_path):
    for weak in ("short-key", "insecure-dev-key-only-for-local-development-do-not-deploy", "change-me", ""):
        result = run_production(["manage.py", "check"], production_env(tmp_path, SECRET_KEY=weak))
        assert result.returncode != 0, weak
        assert "Set SECRET_KEY to a random value of at least 50 characters" in result.stderr


def test_forwarded_proto_is_ignored_without_trusted_proxies(tmp_path):
    out = _requests_under(production_env(tmp_path, NUM_TRUSTED_PROXIES="0"))
    assert out["plain_http"]["status"] == 301
    assert out["plain_http"]["location"] == "https://testserver/api/v1/auth/me/"
    # a client claiming HTTPS is not believed: still redirected
    assert out["claims_https"]["status"] == 301


def test_forwarded_proto_is_honoured_behind_a_trusted_proxy(tmp_path):
    out = _requests_under(production_env(tmp_path, NUM_TRUSTED_PROXIES="1"))
    assert out["plain_http"]["status"] == 301
    assert out["claims_https"]["status"] == 401
    assert out["claims_https"]["hsts"] == "max-age=31536000; includeSubDomains; preload"


def test_health_probe_by_ip_over_http_is_answered(tmp_path):
    out = _requests_under(production_env(tmp_path))
    assert out["probe_by_ip"]["status"] == 200
