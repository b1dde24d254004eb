"""Every variable the code reads from the environment is in .env.example and in docs/DEPLOY.md."""

import re

from tests.deployment_files import BASE_DIR, env_example_names

# The settings a deployment runs on (test.py and bench.py read variables of their own, for developers).
DEPLOYED_SETTINGS = ("base.py", "local.py", "production.py")
TEST_ONLY = {"TEST_BROKER_URL", "TEST_REDIS_URL"}


def variables_read() -> set[str]:
    names = set()
    for module in DEPLOYED_SETTINGS:
        text = (BASE_DIR / "config" / "settings" / module).read_text()
        names |= set(re.findall(r"\benv(?:\.\w+)?\(\s*\"([A-Z][A-Z0-9_]*)\"", text))
    names |= set(
        re.findall(r"environ\.get\(\"([A-Z][A-Z0-9_]*)\"", (BASE_DIR / "gunicorn.conf.py").read_text())
    )
    compose = (BASE_DIR / "docker-compose.yml").read_text()
    names |= set(re.findall(r"(?<!\$)\$\{([A-Z][A-Z0-9_]*)", compose))
    # set for the processes by the image or documented as read by Celery's command line
    names |= {"CELERY_QUIET", "CELERY_WORKER_CONCURRENCY"}
    return names - TEST_ONLY


def test_the_scan_finds_the_core_variables():
    assert {
        "SECRET_KEY",
        "DATABASE_URL",
        "REDIS_URL",
        "WEB_CONCURRENCY",
        "POSTGRES_PASSWORD",
    } <= variables_read()


def test_every_variable_is_in_env_example():
    assert variables_read() - env_example_names() == set()


def test_every_variable_is_in_the_deployment_guide():
    guide = (BASE_DIR / "docs" / "DEPLOY.md").read_text()
    assert {name for name in variables_read() if f"`{name}`" not in guide} == set()
