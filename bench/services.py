"""Start and stop the processes the benchmark measures: each one ours, stopped by its own process group."""

import os
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from scripts.processes import ROOT as BASE_DIR
from scripts.processes import (
    Process,
    can_connect,
    free_port,
    procfile,
    wait_for_health,
    wait_for_port,
    wait_until,
)

VENV_BIN = BASE_DIR / ".venv" / "bin"


def _process(name: str, argv: list[str], *, env: dict, log_dir: Path) -> Process:
    return Process(argv, env=env, log=log_dir / f"{name}.log", name=name)


def ensure_postgres(database_url: str) -> None:
    """Start the machine's Postgres cluster if it is down (as .ci/run does); never stop it."""
    parts = urlsplit(database_url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 5432
    if can_connect(host, port):
        return
    clusters = (
        sorted(p.name for p in Path("/etc/postgresql").iterdir()) if Path("/etc/postgresql").is_dir() else []
    )
    if not clusters or not shutil.which("pg_ctlcluster"):
        raise RuntimeError(f"Postgres is not reachable at {host}:{port} and there is no cluster to start")
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", clusters[-1], "main", "start"], check=True)
    wait_until(lambda: can_connect(host, port), timeout=30, interval=0.1, message="Postgres")


def recreate_database(database_url: str) -> None:
    """Drop and create the benchmark database, so every run starts from the same empty schema."""
    import psycopg

    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    if not name.replace("_", "").isalnum():
        raise ValueError(f"refusing an unusual database name {name!r}")
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def start_redis(log_dir: Path) -> tuple[Process, str]:
    """A private redis-server on a free port (no persistence): nobody else's data, nobody else's load."""
    binary = shutil.which("redis-server")
    if not binary:
        raise RuntimeError("redis-server is not installed; set BENCH_REDIS_URL to use a running Redis")
    port = free_port()
    argv = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    process = _process("redis", argv, env=dict(os.environ), log_dir=log_dir)
    wait_for_port(port, timeout=10, process=process)
    return process, f"redis://127.0.0.1:{port}"


def start_smtp_sink(mail_dir: Path, env: dict, log_dir: Path) -> tuple[Process, int]:
    """scripts/smtp_sink.py (shared with scripts/smoke): accepts every message, writes <n>.eml files."""
    port = free_port()
    argv = [str(VENV_BIN / "python"), "scripts/smtp_sink.py", "--port", str(port), "--dir", str(mail_dir)]
    process = _process("smtp-sink", argv, env=env, log_dir=log_dir)
    wait_for_port(port, timeout=15, process=process)
    return process, port


def run_manage(args: list[str], env: dict, timeout: float = 300) -> None:
    subprocess.run(
        [str(VENV_BIN / "python"), "manage.py", *args], cwd=BASE_DIR, env=env, check=True, timeout=timeout
    )


def start_gunicorn(*, workers: int, env: dict, log_dir: Path) -> tuple[Process, str]:
    """The Procfile's web command verbatim (gunicorn config.wsgi, configured by gunicorn.conf.py), bound to a
    free loopback port with `workers` sync workers through the variables that file reads.

    One deviation: no worker recycling (production recycles a worker after ~2000 requests). A recycle costs
    a new worker's imports, 1-2 s of CPU, which would land in whichever point happened to cross the count.
    """
    port = free_port()
    command = procfile_command("web")
    env = {
        **env,
        "PATH": f"{VENV_BIN}:{env.get('PATH', os.defpath)}",
        "WEB_CONCURRENCY": str(workers),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_CMD_ARGS": "--max-requests 0",
    }
    process = _process("gunicorn", ["bash", "-c", f"exec {command}"], env=env, log_dir=log_dir)
    wait_for_health(port, timeout=60, process=process, headers={"X-Forwarded-Proto": "https"})
    return process, f"http://127.0.0.1:{port}"


def procfile_command(name: str) -> str:
    try:
        return procfile()[name]
    except KeyError:
        raise RuntimeError(f"no {name!r} process in the Procfile") from None


def start_worker(*, env: dict, log_dir: Path) -> tuple[Process, str]:
    """The Procfile's worker command, verbatim, with the virtualenv first on PATH (as `make run` does)."""
    command = procfile_command("worker")
    argv = ["bash", "-c", f"exec {command}"]
    env = {
        "CELERY_WORKER_CONCURRENCY": str(os.cpu_count() or 1),
        **env,
        "PATH": f"{VENV_BIN}:{env.get('PATH', os.defpath)}",
    }
    process = _process("worker", argv, env=env, log_dir=log_dir)
    return process, command


def worker_ready(app, timeout: float = 60) -> None:
    wait_until(
        lambda: app.control.ping(timeout=1.0), timeout=timeout, interval=0.1, message="the Celery worker"
    )


_TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return raw[raw.rindex(")") + 2 :].split()  # fields from the 3rd on (the name may contain spaces)


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(child) for child in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def tree_cpu_seconds(pid: int) -> float:
    """CPU time of a process, its reaped children and its live descendants (gunicorn recycles workers)."""
    fields = _stat(pid)
    if fields is None:
        return 0.0
    own = sum(int(value) for value in fields[11:15]) / _TICK  # utime stime cutime cstime
    return own + sum(tree_cpu_seconds(child) for child in _children(pid))


def cpu_seconds(pids) -> dict[int, float]:
    """CPU time of each of `pids` by itself (utime + stime), skipping those that have gone."""
    times = {}
    for pid in pids:
        fields = _stat(pid)
        if fields is not None:
            times[pid] = sum(int(value) for value in fields[11:13]) / _TICK
    return times
