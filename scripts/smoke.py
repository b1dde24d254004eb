"""Start the production topology on this machine, walk the whole user journey through it, stop it.

Run through scripts/smoke (which starts Postgres and Redis if they are down, then `python -m scripts.smoke`)
or `make smoke`. The processes run the Procfile's commands under config.settings.production, as
docker-compose.yml runs them:
  release  migrate (plus collectstatic, which the image does at build time)
  web      gunicorn, 4 workers
  worker   2 Celery workers, each on part of the routed queues, together on all of them
  beat     one, DatabaseScheduler
  smtp     scripts/smtp_sink.py, writing each message to var/smoke/mail/
This script plays the TLS-terminating proxy: it sends X-Forwarded-Proto/-For (NUM_TRUSTED_PROXIES=1).
Journey: register -> verify by the link in the email -> OTP login with the code in the email -> /auth/me,
plus /readyz, static files, JSON logs and a scan of every log for the secrets the journey used.
Exit status 0 when every step passed. Environment: SMOKE_POSTGRES (server URL without database),
SMOKE_REDIS (server URL without database), SMOKE_DATABASE (database name, default kinwise_smoke).
"""

import email
import json
import os
import re
import secrets
import shlex
import shutil
import subprocess
import sys
import time
import urllib.parse
from email import policy
from http.client import HTTPConnection

import psycopg
import redis

from scripts.processes import ROOT, Process, free_port, procfile

BASE_DIR = ROOT
WORK = BASE_DIR / "var" / "smoke"
MAIL = WORK / "mail"
VENV_BIN = BASE_DIR / ".venv" / "bin"
POSTGRES = os.environ.get("SMOKE_POSTGRES", "postgres://postgres@127.0.0.1:5432").rstrip("/")
REDIS = os.environ.get("SMOKE_REDIS", "redis://127.0.0.1:6379").rstrip("/")
DATABASE = os.environ.get("SMOKE_DATABASE", "kinwise_smoke")
METRICS_TOKEN = secrets.token_urlsafe(24)
CACHE_DB, BROKER_DB = 12, 13
FRONTEND = "https://app.kinwise.smoke"
# Worker A takes the queues of the auth journey, worker B the rest; together they must cover the Procfile's.
WORKER_A_QUEUES = ["emails", "users"]
# Celery prints its shutdown notice straight to stdout, bypassing logging; every other line must be JSON.
CELERY_SHUTDOWN_NOTICE = re.compile(r"^$|^worker: (Warm|Cold) shutdown \(MainProcess\)$")
STARTUP_TIMEOUT = 120  # seconds; the machine may be busy
EMAIL_TIMEOUT = 60


class SmokeFailure(Exception):
    pass


def check(condition, message: str) -> None:
    if not condition:
        raise SmokeFailure(message)


def found(match: re.Match[str] | None, message: str) -> re.Match[str]:
    check(match, message)
    assert match is not None  # noqa: S101 - check() raised otherwise; this tells the type checker
    return match


def step(message: str) -> None:
    print(f"smoke: {message}", flush=True)


def with_queues(command: str, queues: list[str], hostname: str) -> list[str]:
    words = shlex.split(command)
    index = words.index("--queues")
    words[index + 1] = ",".join(queues)
    return [*words, "--hostname", hostname]


class Topology:
    def __init__(self):
        self.web_port = free_port()
        self.smtp_port = free_port()
        self.password = "Smoke-" + secrets.token_urlsafe(12) + "9a"
        self.secret_key = secrets.token_urlsafe(64)
        self.processes: dict[str, Process] = {}
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CELERY_", "DATABASE_"))},
            "PATH": f"{VENV_BIN}:{os.environ.get('PATH', '')}",
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "SECRET_KEY": self.secret_key,
            "DEBUG": "False",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "NUM_TRUSTED_PROXIES": "1",
            "DATABASE_URL": f"{POSTGRES}/{DATABASE}",
            "REDIS_URL": f"{REDIS}/{CACHE_DB}",
            "CELERY_BROKER_URL": f"{REDIS}/{BROKER_DB}",
            "CELERY_RESULT_BACKEND": "",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(self.smtp_port),
            "EMAIL_USE_TLS": "False",
            "FRONTEND_URL": FRONTEND,
            "METRICS_TOKEN": METRICS_TOKEN,
            "GUNICORN_BIND": f"127.0.0.1:{self.web_port}",
            "WEB_CONCURRENCY": "4",
            "CELERY_WORKER_CONCURRENCY": "1",
            "CELERY_QUIET": "1",
            "LOG_LEVEL": "INFO",
            "LOG_FORMAT": "json",
            "PYTHONUNBUFFERED": "1",
            # its own copy, so a test run in this checkout never sees var/static half rewritten
            "STATIC_ROOT": str(WORK / "static"),
        }

    # --- processes ---------------------------------------------------------------------------------------
    def run(self, name: str, argv: list[str], timeout: int = 300) -> str:
        result = subprocess.run(
            argv, cwd=BASE_DIR, env=self.env, capture_output=True, check=False, text=True, timeout=timeout
        )
        (WORK / f"{name}.log").write_text(result.stdout + result.stderr)
        check(result.returncode == 0, f"{name} failed ({result.returncode}):\n{result.stdout}{result.stderr}")
        return result.stdout

    def start(self, name: str, argv: list[str]) -> Process:
        # stdout apart from stderr: every stdout line must be JSON (check_logs)
        log, errors = WORK / f"{name}.out", WORK / f"{name}.err"
        self.processes[name] = Process(argv, env=self.env, log=log, errors=errors, name=name)
        return self.processes[name]

    def alive(self) -> None:
        for name, process in self.processes.items():
            check(process.alive(), f"{name} exited with {process.popen.returncode}; see var/smoke/{name}.*")

    def stop(self) -> None:
        """All at once: SIGTERM to every process, then up to 40 s in all for them to finish."""
        running = [name for name, process in self.processes.items() if process.alive()]
        for process in self.processes.values():
            process.terminate()
        deadline = time.monotonic() + 40
        for name, process in self.processes.items():
            if not process.stop(timeout=max(1, deadline - time.monotonic())) and name in running:
                step(f"{name} ignored SIGTERM; killed it")

    # --- HTTP, as the TLS-terminating proxy ---------------------------------------------------------------
    def http(self, method: str, path: str, body=None, headers=None, proxied=True):
        connection = HTTPConnection("127.0.0.1", self.web_port, timeout=30)
        sent = {"Host": "localhost", "Accept": "application/json"}
        if proxied:
            sent.update({"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"})
        if body is not None:
            sent["Content-Type"] = "application/json"
            body = json.dumps(body)
        sent.update(headers or {})
        connection.request(method, path, body=body, headers=sent)
        response = connection.getresponse()
        data = response.read()
        connection.close()
        try:
            payload = json.loads(data) if data else None
        except ValueError:
            payload = data.decode(errors="replace")
        return response.status, dict(response.getheaders()), payload

    def wait_http(self, path: str, status: int = 200) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        last = None
        while time.monotonic() < deadline:
            self.alive()
            try:
                last = self.http("GET", path, proxied=False)
                if last[0] == status:
                    return
            except OSError as exc:
                last = exc
            time.sleep(0.5)
        raise SmokeFailure(f"GET {path} did not answer {status} within {STARTUP_TIMEOUT}s: {last}")

    # --- mail ----------------------------------------------------------------------------------------------
    def wait_email(self, to: str, subject: str, after: int = 0) -> email.message.EmailMessage:
        deadline = time.monotonic() + EMAIL_TIMEOUT
        while time.monotonic() < deadline:
            for path in sorted(MAIL.glob("*.eml"))[after:]:
                message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
                if to in message["To"] and message["Subject"] == subject:
                    return message
            self.alive()
            time.sleep(0.2)
        raise SmokeFailure(f"no email {subject!r} to {to} within {EMAIL_TIMEOUT}s")


def text_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def recreate_database() -> None:
    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DATABASE}")


def drop_database() -> None:
    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")


def flush_redis() -> None:
    for db in (CACHE_DB, BROKER_DB):
        redis.Redis.from_url(f"{REDIS}/{db}").flushdb()


def journey(top: Topology) -> list[str]:
    """Register, verify by link, log in by OTP, read /auth/me. Returns the secrets seen, for the log scan."""
    address = f"smoke-{secrets.token_hex(4)}@example.com"
    password = top.password
    status, headers, body = top.http(
        "POST",
        "/api/v1/auth/register/",
        {"email": address, "password": password, "password_confirm": password, "first_name": "Smoke"},
        headers={"X-Request-ID": "smoke-register-0001"},
    )
    check(status == 201, f"register answered {status}: {body}")
    check(headers.get("X-Request-ID") == "smoke-register-0001", "X-Request-ID not echoed")
    step(f"registered {address}")

    verify = top.wait_email(address, "Verify your KinWise account")
    link_pattern = r"(https://\S+/verify-email\?token=(\S+))"
    match = found(re.search(link_pattern, text_of(verify)), "no verification link in the email")
    link, token = match.group(1), urllib.parse.unquote(match.group(2))
    check(link.startswith(f"{FRONTEND}/verify-email?token="), f"link does not use FRONTEND_URL: {link}")
    status, _, body = top.http(
        "GET", "/api/v1/auth/verify-email/?" + urllib.parse.urlencode({"token": token})
    )
    check(status == 200, f"verify-email answered {status}: {body}")
    check(body["user"]["is_active"] is True, f"user not active after verification: {body}")
    step("verified the address with the link from the email")
    top.wait_email(address, "Welcome to KinWise!")
    step("welcome email received")

    count = len(list(MAIL.glob("*.eml")))
    status, _, body = top.http("POST", "/api/v1/auth/otp/request/", {"email": address})
    check(status == 200, f"otp/request answered {status}: {body}")
    otp = top.wait_email(address, "Your KinWise login code", after=count)
    code_match = found(re.search(r"login code is: (\d{6})", text_of(otp)), "no code in the OTP email")
    code = code_match.group(1)
    status, _, body = top.http("POST", "/api/v1/auth/otp/verify/", {"email": address, "code": code})
    check(status == 200, f"otp/verify answered {status}: {body}")
    access, refresh = body["access"], body["refresh"]
    step("logged in with the emailed one-time code")

    status, _, body = top.http("GET", "/api/v1/auth/me/", headers={"Authorization": f"Bearer {access}"})
    check(status == 200 and body["email"] == address, f"/auth/me answered {status}: {body}")
    status, _, body = top.http("POST", "/api/v1/auth/login/", {"email": address, "password": password})
    check(status == 200, f"password login answered {status}: {body}")
    step("/auth/me knows the user; password login works too")
    return [password, token, link, code, access, refresh, body["access"], body["refresh"]]


def check_topology(top: Topology, queues: list[str]) -> None:
    master = top.processes["web"].pid
    deadline = time.monotonic() + STARTUP_TIMEOUT
    workers: list[str] = []
    while time.monotonic() < deadline:
        workers = subprocess.run(
            ["pgrep", "-P", str(master)], capture_output=True, check=False, text=True
        ).stdout.split()
        if len(workers) == 4:
            break
        time.sleep(0.5)
    check(len(workers) == 4, f"gunicorn runs {len(workers)} workers, expected 4")

    while True:
        inspect = ["celery", "-A", "config", "inspect", "active_queues", "--json", "--timeout", "5"]
        result = subprocess.run(
            inspect, cwd=BASE_DIR, env=top.env, capture_output=True, check=False, text=True, timeout=120
        )
        lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
        consumed = {}
        if lines:
            consumed = {node: sorted(q["name"] for q in qs) for node, qs in json.loads(lines[-1]).items()}
        if len(consumed) == 2 or time.monotonic() > deadline:
            break
        top.alive()
        time.sleep(1)
    check(len(consumed) == 2, f"expected 2 Celery workers to answer, got {consumed}")
    check(set(WORKER_A_QUEUES) in map(set, consumed.values()), f"worker A's queues missing: {consumed}")
    every = sorted(q for qs in consumed.values() for q in qs)
    check(every == sorted(queues), f"workers consume {every}, the Procfile routes {sorted(queues)}")
    step(f"4 gunicorn workers; Celery workers {consumed}")


def check_web_surface(top: Topology) -> None:
    status, headers, _ = top.http("GET", "/api/v1/auth/me/", proxied=False)
    check(
        status == 301 and headers["Location"].startswith("https://"), f"plain HTTP not redirected: {status}"
    )
    status, headers, _ = top.http("GET", "/api/v1/auth/me/")
    check(status == 401, f"/auth/me without a token answered {status}")
    check("max-age=" in headers.get("Strict-Transport-Security", ""), "no HSTS header over HTTPS")
    status, _, body = top.http("GET", "/readyz", proxied=False)
    check(status == 200, f"/readyz answered {status}: {body}")
    check(body["checks"] == {"database": "ok", "redis": "ok", "broker": "ok"}, f"/readyz: {body}")
    for page in ("/api/docs/", "/admin/login/"):
        status, _, html = top.http("GET", page, headers={"Accept": "text/html"})
        check(status == 200, f"{page} answered {status}")
        assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', html)
        check(assets, f"{page} references no static files")
        for asset in assets:
            status, headers, _ = top.http("GET", asset)
            check(status == 200, f"{asset} answered {status}")
    step("HTTPS redirect, HSTS, /readyz, API docs and admin with their static files: ok")


def check_metrics(top: Topology) -> None:
    """/metrics (by IP, plain HTTP, with the token) adds up the journey across the 4 gunicorn workers."""
    status, _, _ = top.http("GET", "/metrics", proxied=False)
    check(status == 401, f"/metrics without the token answered {status}")
    status, _, text = top.http(
        "GET", "/metrics", proxied=False, headers={"Authorization": f"Bearer {METRICS_TOKEN}"}
    )
    check(status == 200, f"/metrics answered {status}")
    from prometheus_client.parser import text_string_to_metric_families

    register = {"route": "/api/v1/auth/register/", "method": "POST", "status": "201"}
    counted = [
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == "kinwise_http_requests_total" and sample.labels == register
    ]
    check(counted == [1.0], f"/metrics counts {counted} registrations, expected one")
    check(
        "kinwise_email_outbox_rows{" in text and "kinwise_celery_queue_length{" in text,
        "state metrics missing",
    )
    step("/metrics: guarded, counts the journey's requests, outbox and queues")


def check_logs(top: Topology, secrets_seen: list[str]) -> None:
    request_lines, task_lines = [], []
    for name in ("web", "worker-a", "worker-b", "beat"):
        for number, line in enumerate((WORK / f"{name}.out").read_text().splitlines(), 1):
            if CELERY_SHUTDOWN_NOTICE.match(line):
                continue
            try:
                record = json.loads(line)
            except ValueError:
                raise SmokeFailure(f"{name}.out line {number} is not JSON: {line[:200]}") from None
            if record.get("logger") == "kinwise.request":
                request_lines.append(record)
            if record.get("task_name"):
                task_lines.append(record)
    registered = [r for r in request_lines if r.get("request_id") == "smoke-register-0001"]
    check(registered and registered[0]["status"] == 201, "no request log line for the registration")
    check(any(r.get("user_id") for r in request_lines), "no request line carries a user id")
    check(
        any(r["task_name"] == "apps.emails.tasks.deliver_email" and r.get("task_id") for r in task_lines),
        "no worker log line carries the delivery task's id and name",
    )
    everything = "\n".join(
        path.read_text() for path in sorted(WORK.glob("*.out")) + sorted(WORK.glob("*.err"))
    )
    found = [
        s
        for s in [*secrets_seen, top.secret_key]
        if re.search(rf"(?<![0-9]){re.escape(s)}(?![0-9])", everything)
    ]
    check(not found, f"{len(found)} secret(s) found in the logs under var/smoke/")
    step(f"logs: every stdout line is JSON; {len(request_lines)} request lines; no secret in any log")


def release(top: Topology, commands: dict[str, str]) -> None:
    step(f"database {DATABASE} (fresh), Redis {REDIS}/{CACHE_DB} cache and /{BROKER_DB} broker (flushed)")
    recreate_database()
    flush_redis()
    top.run("release", shlex.split(commands["release"]))
    top.run("collectstatic", ["python", "manage.py", "collectstatic", "--noinput"])
    out = top.run("check-deploy", ["python", "manage.py", "check", "--deploy", "--fail-level", "WARNING"])
    check("no issues" in out, f"check --deploy: {out}")
    step("migrated, static files collected, check --deploy clean")


def start_processes(top: Topology, commands: dict[str, str], queues: list[str]) -> None:
    worker_b_queues = [q for q in queues if q not in WORKER_A_QUEUES]
    check(set(WORKER_A_QUEUES) <= set(queues) and worker_b_queues, f"cannot split the queues {queues}")
    top.start("smtp", ["python", "scripts/smtp_sink.py", "--port", str(top.smtp_port), "--dir", str(MAIL)])
    top.start("web", shlex.split(commands["web"]))
    top.start("worker-a", with_queues(commands["worker"], WORKER_A_QUEUES, "smoke-a@%h"))
    top.start("worker-b", with_queues(commands["worker"], worker_b_queues, "smoke-b@%h"))
    top.start("beat", shlex.split(commands["beat"]))
    top.wait_http("/healthz")
    step(f"web answering on 127.0.0.1:{top.web_port}")


def main() -> int:
    started = time.monotonic()
    shutil.rmtree(WORK, ignore_errors=True)
    MAIL.mkdir(parents=True)
    top = Topology()
    commands = procfile()
    worker = shlex.split(commands["worker"])
    queues = worker[worker.index("--queues") + 1].split(",")
    secrets_seen: list[str] = []

    def ready_after_journey() -> None:
        status, _, body = top.http("GET", "/readyz", proxied=False)
        check(status == 200, f"/readyz after the journey answered {status}: {body}")
        top.alive()
        top.stop()  # flushes every log before they are read

    steps = [
        ("release", lambda: release(top, commands)),
        ("start", lambda: start_processes(top, commands, queues)),
        ("topology", lambda: check_topology(top, queues)),
        ("web surface", lambda: check_web_surface(top)),
        ("journey", lambda: secrets_seen.extend(journey(top))),
        ("metrics", lambda: check_metrics(top)),
        ("readiness and clean shutdown", ready_after_journey),
        ("logs", lambda: check_logs(top, secrets_seen)),
    ]
    passed = 0
    try:
        for _name, run in steps:
            run()
            passed += 1
    except SmokeFailure as failure:
        step(f"FAILED at {steps[passed][0]}: {failure}")
    finally:
        top.stop()
    ok = passed == len(steps)
    if ok:
        drop_database()
    else:
        for name in top.processes:
            tail = (WORK / f"{name}.err").read_text().splitlines()[-15:]
            if tail:
                print(f"--- {name}.err (last lines)\n" + "\n".join(tail), file=sys.stderr)
    step(f"{'PASSED' if ok else 'FAILED'} in {time.monotonic() - started:.0f}s (logs in var/smoke/)")
    print(f"smoke: {passed} passed, {0 if ok else 1} failed", flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
