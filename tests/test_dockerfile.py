"""The Dockerfile, checked for structure (no Docker engine runs here)."""

import json
import re

from tests.deployment_files import BASE_DIR, dockerfile_stages, procfile


def test_multi_stage_with_dependencies_from_the_lock_file():
    stages = dockerfile_stages()
    assert len(stages) >= 2
    build = "\n".join(stages[0])
    assert "uv sync --frozen --no-dev" in build
    assert "collectstatic --noinput" in build


def test_the_final_image_runs_as_a_non_root_user():
    final = dockerfile_stages()[-1]
    users = [line.split()[1] for line in final if line.upper().startswith("USER ")]
    assert users, "no USER in the final stage"
    assert users[-1].split(":")[0] not in {"root", "0"}


def test_the_final_image_has_no_build_tools_or_secrets():
    final = "\n".join(dockerfile_stages()[-1])
    for tool in ("uv ", "pip install", "gcc", "build-essential", "apt-get install"):
        assert tool not in final, tool
    text = (BASE_DIR / "Dockerfile").read_text()
    assert not re.search(r"^\s*(ARG|ENV)\s+[^\n]*(SECRET|PASSWORD|TOKEN)", text, flags=re.M | re.I)
    ignored = (BASE_DIR / ".dockerignore").read_text().split()
    assert {".env", ".venv", "var", ".git"} <= set(ignored)


def test_healthcheck_hits_healthz_and_the_default_command_is_the_procfile_web():
    final = dockerfile_stages()[-1]
    [healthcheck] = [line for line in final if line.upper().startswith("HEALTHCHECK ")]
    assert "/healthz" in healthcheck
    [cmd] = [line for line in final if line.upper().startswith("CMD ")]
    assert " ".join(json.loads(cmd[4:])) == procfile()["web"]
