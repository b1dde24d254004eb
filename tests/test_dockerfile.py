"""The Dockerfile, checked for structure (no Docker engine runs here)."""

import json
import re
import shutil
import subprocess

import pytest

from tests.deployment_files import BASE_DIR, dockerfile_stages, procfile


def _stage(name: str) -> list[str]:
    [stage] = [s for s in dockerfile_stages() if s[0].split()[-1] == name]
    return stage


def test_multi_stage_with_dependencies_from_the_lock_file():
    stages = dockerfile_stages()
    assert len(stages) >= 2
    build = "\n".join(_stage("build"))
    assert "uv sync --frozen --no-dev" in build
    assert "collectstatic --noinput" in build


def test_the_web_stage_builds_the_web_app_into_the_final_image(tmp_path):
    """Replay the web stage's COPY and RUN lines in a scratch directory (no Docker engine here): the bundle
    the final image copies in must come out, from the committed npm lock files."""
    if shutil.which("npm") is None:
        pytest.fail("npm is missing: the web stage cannot be checked (install Node 20 and npm)")
    stage = _stage("web")
    assert stage[0].split()[1].startswith("node:20")
    workdir = tmp_path / next(line.split()[1] for line in stage if line.startswith("WORKDIR ")).lstrip("/")
    workdir.mkdir(parents=True)
    for line in stage:
        if line.startswith("COPY "):
            *sources, target = line.split()[1:]
            for source in sources:
                destination = workdir / target / (BASE_DIR / source).name if target.endswith("/") else None
                destination = destination or workdir / target
                destination.parent.mkdir(parents=True, exist_ok=True)
                if (BASE_DIR / source).is_dir():
                    ignore = shutil.ignore_patterns("node_modules")
                    shutil.copytree(BASE_DIR / source, destination, ignore=ignore, dirs_exist_ok=True)
                else:
                    shutil.copy(BASE_DIR / source, destination)
        elif line.startswith("RUN "):
            subprocess.run(["bash", "-euc", line[4:]], cwd=workdir, check=True, timeout=300)
    [copy] = [line for line in dockerfile_stages()[-1] if line.startswith("COPY --from=web ")]
    built = workdir / copy.split()[2].removeprefix("/src/")
    assert (built / "assets" / "main.js").stat().st_size > 10_000
    assert (built / "assets" / "styles.css").exists()
    assert copy.split()[3] == "/app/var/web"  # settings.WEB_BUILD_DIR in the image (VAR_DIR / "web")


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
    assert not re.search(
        r"^\s*(ARG|ENV)\s+[^\n]*(SECRET|PASSWORD|TOKEN)", text, flags=re.MULTILINE | re.IGNORECASE
    )
    ignored = (BASE_DIR / ".dockerignore").read_text().split()
    assert {".env", ".venv", "var", ".git"} <= set(ignored)


def test_healthcheck_hits_healthz_and_the_default_command_is_the_procfile_web():
    final = dockerfile_stages()[-1]
    [healthcheck] = [line for line in final if line.upper().startswith("HEALTHCHECK ")]
    assert "/healthz" in healthcheck
    [cmd] = [line for line in final if line.upper().startswith("CMD ")]
    assert " ".join(json.loads(cmd[4:])) == procfile()["web"]
