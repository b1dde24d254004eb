"""Settings an operator gives through the environment: secrets from *_FILE, rate-limit overrides (never looser
than the defaults in production unless allowed), gunicorn on $PORT."""

import json
import urllib.request

from tests.production import production_env, run_production
from tests.support import Process, free_port, venv_env, wait_until


def show(expression: str) -> list[str]:
    """Python that loads the settings (an error in them fails it: `manage.py shell` would carry on) and prints
    `expression` as JSON."""
    return [
        "-c",
        (
            "import django, json; django.setup(); from django.conf import settings; "
            f"print(json.dumps({expression}))"
        ),
    ]


def test_secrets_can_come_from_files(tmp_path):
    key = "k" * 60
    (tmp_path / "secret_key").write_text(key + "\n")  # editors and `echo` leave a newline
    (tmp_path / "smtp_password").write_text("smtp-pw")
    env = production_env(
        tmp_path,
        SECRET_KEY="",
        SECRET_KEY_FILE=str(tmp_path / "secret_key"),
        EMAIL_HOST_PASSWORD_FILE=str(tmp_path / "smtp_password"),
    )
    result = run_production(show("[settings.SECRET_KEY, settings.EMAIL_HOST_PASSWORD]"), env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [key, "smtp-pw"]


def test_rate_limits_can_be_tightened_but_not_loosened_in_production(tmp_path):
    tighter = run_production(
        show("settings.RATE_LIMITS['register_ip']"), production_env(tmp_path, RATE_LIMITS="register_ip=2/h")
    )
    assert tighter.returncode == 0, tighter.stderr
    assert json.loads(tighter.stdout.strip().splitlines()[-1]) == "2/h"

    looser = run_production(show("1"), production_env(tmp_path, RATE_LIMITS="register_ip=100/h"))
    assert looser.returncode != 0
    assert "register_ip=100/h is looser than the default 3/h" in looser.stderr
    burst = run_production(show("1"), production_env(tmp_path, RATE_LIMITS="otp_verify_ip=50/d"))
    assert burst.returncode != 0  # fewer per second on average, but a bigger burst

    allowed = run_production(
        show("settings.RATE_LIMITS['register_ip']"),
        production_env(tmp_path, RATE_LIMITS="register_ip=100/h", RATE_LIMITS_ALLOW_LOOSER="True"),
    )
    assert allowed.returncode == 0, allowed.stderr
    assert json.loads(allowed.stdout.strip().splitlines()[-1]) == "100/h"


def test_local_work_may_relax_rate_limits_and_typos_are_refused(tmp_path):
    env = production_env(
        tmp_path, DJANGO_SETTINGS_MODULE="config.settings.local", RATE_LIMITS="register_ip=1000/h"
    )
    relaxed = run_production(show("settings.RATE_LIMITS['register_ip']"), env)
    assert relaxed.returncode == 0, relaxed.stderr
    assert json.loads(relaxed.stdout.strip().splitlines()[-1]) == "1000/h"
    typo = run_production(show("1"), {**env, "RATE_LIMITS": "registr_ip=1000/h"})
    assert typo.returncode != 0
    assert "unknown scope(s) registr_ip" in typo.stderr
    bad = run_production(show("1"), {**env, "RATE_LIMITS": "register_ip=lots"})
    assert bad.returncode != 0
    assert "Bad rate string" in bad.stderr


def test_gunicorn_listens_on_port_when_gunicorn_bind_is_unset(tmp_path):
    port = free_port()
    env = venv_env(PORT=str(port), DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", WEB_CONCURRENCY="1")
    env.pop("GUNICORN_BIND", None)
    web = Process(["gunicorn", "config.wsgi"], env=env, log=tmp_path / "web.log")
    try:
        wait_until(lambda: f"Listening at: http://0.0.0.0:{port}" in web.output(), timeout=30, message="bind")

        def healthz():
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                    return response.status == 200
            except OSError:
                return False

        wait_until(healthz, timeout=30, message="/healthz on $PORT")
    finally:
        web.stop()


def test_the_values_of_env_example_load_as_they_stand(tmp_path):
    """`cp .env.example .env` must give working settings, empty values included."""
    import re

    from tests.deployment_files import BASE_DIR

    pairs = re.findall(
        r"^([A-Z][A-Z0-9_]+)=(.*)$", (BASE_DIR / ".env.example").read_text(), flags=re.MULTILINE
    )
    env = {**production_env(tmp_path, DJANGO_SETTINGS_MODULE="config.settings.local"), **dict(pairs)}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    result = run_production(
        show("[settings.EMAIL_BACKEND, settings.ANYMAIL, settings.RATE_LIMITS['register_ip']]"), env
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [
        "django.core.mail.backends.filebased.EmailBackend",
        {},
        "3/h",
    ]
