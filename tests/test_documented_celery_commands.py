"""Every `celery -A config ...` command the README and docs/ give works, run against a live worker: the
inspect commands answer, `call` runs the task on the worker, worker/beat/Flower start (Flower only with its
basic auth) and stop cleanly."""

import re
import shlex
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from base64 import b64encode

import pytest

from tests.support import (
    ROOT,
    Process,
    free_port,
    shared_database_url,
    start_procfile_worker,
    venv_env,
    wait_until,
)

pytestmark = pytest.mark.requires_services
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FLOWER_AUTH = "ops:flower-secret-pw"


def documented_commands() -> list[str]:
    found = []
    for document in DOCUMENTS:
        for match in re.findall(r"celery -A config [^`#\n]*", document.read_text()):
            command = match.strip()
            if command not in found:
                found.append(command)
    return found


def test_the_docs_name_the_commands_operators_need():
    subcommands = {shlex.split(command)[3] for command in documented_commands()}
    assert {"worker", "beat", "inspect", "call", "flower"} <= subcommands


def _http(url: str, auth: str | None = None) -> int:
    headers = {"Authorization": "Basic " + b64encode(auth.encode()).decode()} if auth else {}
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=3) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0


@pytest.fixture
def live(tmp_path, celery_broker):
    env = venv_env(DATABASE_URL=shared_database_url(), CELERY_BROKER_URL=celery_broker, CELERY_QUIET="1")
    worker = start_procfile_worker(
        env=env, log=tmp_path / "live-worker.log", name=f"live-{uuid.uuid4().hex[:6]}"
    )
    try:
        yield env, worker
    finally:
        worker.stop()


def test_every_documented_celery_command_works_against_a_live_worker(live, tmp_path):
    env, worker = live
    ran = []
    for n, command in enumerate(documented_commands()):
        argv = shlex.split(command)
        kind = argv[3]
        if kind == "inspect":
            result = subprocess.run(
                [*argv, "--timeout", "10"],
                cwd=ROOT,
                env=env,
                capture_output=True,
                check=False,
                text=True,
                timeout=90,
            )
            assert result.returncode == 0, (command, result.stdout, result.stderr)
            assert "live-" in result.stdout, (command, result.stdout)
            if argv[4] == "ping":
                assert "pong" in result.stdout
        elif kind == "call":
            result = subprocess.run(
                argv, cwd=ROOT, env=env, capture_output=True, check=False, text=True, timeout=90
            )
            assert result.returncode == 0, (command, result.stderr)
            task_id = result.stdout.strip().splitlines()[-1]
            assert re.fullmatch(r"[0-9a-f-]{36}", task_id), result.stdout
            worker.wait_for_output(f"{argv[4]}[{task_id}] succeeded", timeout=60)
        elif kind in ("worker", "beat"):
            if kind == "worker" and "--hostname" not in argv:
                argv += ["--hostname", f"docs{n}@%h"]
            started = Process(argv, env=env, log=tmp_path / f"{kind}-{n}.log")
            try:
                started.wait_for_output(" ready." if kind == "worker" else "beat: Starting...", timeout=90)
                if (
                    kind == "beat"
                ):  # it logs "Starting" before its scheduler is built: a SIGTERM then is no test
                    time.sleep(5)
            finally:
                started.stop(timeout=30)
            assert "Traceback" not in started.output(), started.output()[-3000:]
        elif kind == "flower":
            _flower_needs_auth_and_answers(argv, env, tmp_path / f"flower-{n}.log")
        else:
            pytest.fail(f"no check for documented command {command!r}")
        ran.append(command)
    assert len(ran) == len(documented_commands()) >= 8


def _flower_needs_auth_and_answers(argv: list[str], env: dict, log) -> None:
    port = free_port()
    argv = [word for word in argv if not word.startswith("--port")] + [f"--port={port}"]
    refused = subprocess.run(
        argv,
        cwd=ROOT,
        env={**env, "FLOWER_BASIC_AUTH": ""},
        capture_output=True,
        check=False,
        text=True,
        timeout=60,
    )
    assert refused.returncode != 0
    assert "FLOWER_BASIC_AUTH" in refused.stderr
    flower = Process(argv, env={**env, "FLOWER_BASIC_AUTH": FLOWER_AUTH}, log=log)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until(lambda: _http(f"{base}/healthcheck") == 200, timeout=60, message="Flower up")
        assert _http(f"{base}/") == 401
        assert _http(f"{base}/", auth="ops:wrong") == 401
        assert _http(f"{base}/", auth=FLOWER_AUTH) == 200
        assert _http(f"{base}/api/workers?refresh=1", auth=FLOWER_AUTH) == 200
    finally:
        flower.stop()
