"""Start and stop the processes the benchmark measures: each one ours, stopped by its own process group."""

import http.client
import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
VENV_BIN = BASE_DIR / ".venv" / "bin"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate, *, timeout: float, what: str, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise RuntimeError(f"timed out after {timeout:.0f}s waiting for {what}")


class Process:
    """A child process in its own session, its output in a log file; stop() ends its whole group."""

    def __init__(self, name: str, argv: list[str], *, env: dict, log_dir: Path):
        self.name = name
        self.argv = argv
        self.log_path = log_dir / f"{name}.log"
        self.stopped = False
        self._log = self.log_path.open("wb")
        self.popen = subprocess.Popen(
            argv, cwd=BASE_DIR, env=env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True
        )

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def check(self) -> None:
        if not self.stopped and not self.alive():
            tail = self.log_path.read_text(errors="replace")[-3000:]
            raise RuntimeError(f"{self.name} exited with {self.popen.returncode}:\n{tail}")

    def stop(self, timeout: float = 15.0) -> None:
        self.stopped = True
        if self.alive():
            os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait()
        self._log.close()


def _can_connect(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def ensure_postgres(database_url: str) -> None:
    """Start the machine's Postgres cluster if it is down (as .ci/run does); never stop it."""
    parts = urlsplit(database_url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 5432
    if _can_connect(host, port):
        return
    clusters = (
        sorted(p.name for p in Path("/etc/postgresql").iterdir()) if Path("/etc/postgresql").is_dir() else []
    )
    if not clusters or not shutil.which("pg_ctlcluster"):
        raise RuntimeError(f"Postgres is not reachable at {host}:{port} and there is no cluster to start")
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", clusters[-1], "main", "start"], check=True)
    wait_for(lambda: _can_connect(host, port), timeout=30, what="Postgres")


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
    process = Process("redis", argv, env=dict(os.environ), log_dir=log_dir)
    wait_for(lambda: _alive_and_listening(process, port), timeout=10, what="redis-server")
    return process, f"redis://127.0.0.1:{port}"


def _alive_and_listening(process: Process, port: int) -> bool:
    process.check()  # raises if it exited
    return _can_connect("127.0.0.1", port)


def start_smtp_sink(mail_dir: Path, env: dict, log_dir: Path) -> tuple[Process, int]:
    """scripts/smtp_sink.py (shared with scripts/smoke): accepts every message, writes <n>.eml files."""
    port = free_port()
    argv = [str(VENV_BIN / "python"), "scripts/smtp_sink.py", "--port", str(port), "--dir", str(mail_dir)]
    process = Process("smtp-sink", argv, env=env, log_dir=log_dir)
    wait_for(lambda: _alive_and_listening(process, port), timeout=15, what="the SMTP sink")
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
    process = Process("gunicorn", ["bash", "-c", f"exec {command}"], env=env, log_dir=log_dir)
    base_url = f"http://127.0.0.1:{port}"

    def healthy() -> bool:
        process.check()
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz", headers={"X-Forwarded-Proto": "https"})
            return conn.getresponse().status == 200
        except OSError:
            return False

    wait_for(healthy, timeout=60, what="gunicorn")
    return process, base_url


def procfile_command(name: str) -> str:
    for line in (BASE_DIR / "Procfile").read_text().splitlines():
        key, _, command = line.partition(":")
        if key.strip() == name:
            return command.strip()
    raise RuntimeError(f"no {name!r} process in the Procfile")


def start_worker(*, env: dict, log_dir: Path) -> tuple[Process, str]:
    """The Procfile's worker command, verbatim, with the virtualenv first on PATH (as `make run` does)."""
    command = procfile_command("worker")
    argv = ["bash", "-c", f"exec {command}"]
    env = {
        "CELERY_WORKER_CONCURRENCY": str(os.cpu_count() or 1),
        **env,
        "PATH": f"{VENV_BIN}:{env.get('PATH', os.defpath)}",
    }
    process = Process("worker", argv, env=env, log_dir=log_dir)
    return process, command


def worker_ready(app, timeout: float = 60) -> None:
    wait_for(lambda: app.control.ping(timeout=1.0), timeout=timeout, what="the Celery worker")


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
