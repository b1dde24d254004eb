"""docker-compose.yml, checked for structure (no Docker engine runs here): the services, their commands
against the Procfile, the worker's queues against the routes in settings, health checks and start order."""

import re

import pytest
from django.conf import settings

from tests.deployment_files import BASE_DIR, command_line, compose, env_example_names, option, procfile

APP_SERVICES = ("migrate", "web", "worker", "beat")


@pytest.fixture(scope="module")
def services():
    return compose()["services"]


def routed_queues() -> set[str]:
    return {settings.CELERY_TASK_DEFAULT_QUEUE} | {
        route["queue"] for route in settings.CELERY_TASK_ROUTES.values()
    }


def test_the_stack_has_every_service(services):
    assert {"postgres", "redis", "migrate", "web", "worker", "beat", "flower"} <= set(services)


def test_web_worker_and_beat_run_the_procfile_commands(services):
    commands = procfile()
    assert command_line(services["web"]["command"]) == commands["web"]
    assert command_line(services["worker"]["command"]) == commands["worker"]
    assert command_line(services["beat"]["command"]) == commands["beat"]
    assert command_line(services["migrate"]["command"]) == commands["release"]


def test_web_is_gunicorn_on_the_wsgi_app(services):
    assert command_line(services["web"]["command"]).split()[:2] == ["gunicorn", "config.wsgi"]


def test_the_worker_consumes_every_routed_queue_and_nothing_else(services):
    queues = option(command_line(services["worker"]["command"]), "--queues").split(",")
    assert len(queues) == len(set(queues))
    assert set(queues) == routed_queues()
    # the Procfile's worker (make run) too
    assert set(option(procfile()["worker"], "--queues").split(",")) == routed_queues()


def test_exactly_one_beat_with_the_database_scheduler(services):
    beats = [
        name
        for name, svc in services.items()
        if re.search(r"\bcelery\b.*\bbeat\b", command_line(svc.get("command", "")))
    ]
    assert beats == ["beat"]
    beat = services["beat"]
    assert (
        option(command_line(beat["command"]), "--scheduler")
        == "django_celery_beat.schedulers:DatabaseScheduler"
    )
    assert beat["deploy"]["replicas"] == 1


def _seconds(duration: str) -> int:
    """A compose duration ("40s", "31m", "1m30s") in seconds."""
    units = {"h": 3600, "m": 60, "s": 1}
    return sum(int(n) * units[u] for n, u in re.findall(r"(\d+)([hms])", duration))


def test_stop_grace_periods_cover_gunicorns_drain_and_the_longest_task(services):
    conf = (BASE_DIR / "gunicorn.conf.py").read_text()
    graceful_timeout = int(re.search(r"^graceful_timeout = (\d+)$", conf, flags=re.MULTILINE).group(1))
    assert _seconds(services["web"]["stop_grace_period"]) >= graceful_timeout + 5
    assert _seconds(services["worker"]["stop_grace_period"]) >= settings.CELERY_TASK_TIME_LIMIT + 30


def test_flower_runs_our_image_with_the_app_and_workers_send_task_events(services):
    flower = services["flower"]
    assert flower["image"] == services["worker"]["image"]
    assert command_line(flower["command"]).split()[:4] == ["celery", "-A", "config", "flower"]
    assert "--broker" not in command_line(flower["command"])
    assert settings.CELERY_WORKER_SEND_TASK_EVENTS is True


def test_flower_is_opt_in(services):
    assert services["flower"]["profiles"] == ["flower"]
    assert all("profiles" not in svc for name, svc in services.items() if name != "flower")
    # published on the host's loopback only
    assert all(port.startswith("127.0.0.1:") for port in services["flower"]["ports"])


def test_app_services_start_after_migrations_and_healthy_backing_services(services):
    for name in ("web", "worker", "beat"):
        depends = services[name]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully", name
        assert depends["postgres"]["condition"] == "service_healthy", name
        assert depends["redis"]["condition"] == "service_healthy", name
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert services["migrate"]["restart"] == "no"


def test_long_running_services_have_health_checks(services):
    for name in ("postgres", "redis", "web", "worker", "flower"):
        assert services[name]["healthcheck"]["test"], name
    assert "/healthz" in command_line(services["web"]["healthcheck"]["test"])
    assert "inspect ping" in command_line(services["worker"]["healthcheck"]["test"])
    # beat serves nothing to probe: its check is switched off on purpose, not forgotten
    assert services["beat"]["healthcheck"] == {"disable": True}


def test_app_services_share_one_image_and_take_configuration_from_dot_env(services):
    images = {services[name]["image"] for name in APP_SERVICES}
    assert len(images) == 1
    for name in APP_SERVICES:
        svc = services[name]
        assert svc["env_file"] == ".env"
        assert svc["environment"]["DJANGO_SETTINGS_MODULE"] == "config.settings.production"
        # what the file sets itself are the documented names, pointing at its own services
        assert set(svc["environment"]) <= env_example_names(), name


def test_every_variable_the_file_reads_is_documented_in_env_example():
    text = (BASE_DIR / "docker-compose.yml").read_text()
    used = set(re.findall(r"(?<!\$)\$\{([A-Z][A-Z0-9_]*)", text))  # $${X} is for the container shell
    assert used, "expected ${VAR} references"
    assert used - env_example_names() == set()
