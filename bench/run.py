"""`make bench`: start the service as in production on this machine, load it, print one table, save JSON.

Processes (each started and stopped here): a private redis-server (cache + broker), the machine's Postgres
(started if down, never stopped) with a fresh `kinwise_bench` database, the Procfile's web command (gunicorn
on config.wsgi) and worker command, an SMTP sink (scripts/smtp_sink.py). The load comes from
bench/loadgen.py, a separate process, over loopback. Settings: config.settings.bench (production, plus the
ceiling endpoint and raised rate limits). Method and one run's figures: docs/PERFORMANCE.md.

    .venv/bin/python -m bench.run [--duration 5] [--concurrency 1,8,16] [--emails 1000] [--quick]
"""

import argparse
import json
import math
import os
import secrets
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench import services
from bench.mailbox import Mailbox
from bench.measure import run_load
from bench.report import render

BASE_DIR = Path(__file__).resolve().parent.parent
RESULTS_DIR = BASE_DIR / "bench" / "results"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/kinwise_bench"

CEILING = "/api/v1/bench/ceiling/"
OTP_REQUEST = "/api/v1/auth/otp/request/"
OTP_VERIFY = "/api/v1/auth/otp/verify/"
REGISTER = "/api/v1/auth/register/"
LOGIN = "/api/v1/auth/login/"
# Sent by the load generator as a TLS-terminating proxy would (the benchmark trusts one proxy hop).
PROXY_HEADERS = {"X-Forwarded-Proto": "https"}


def machine_info() -> dict:
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    models = [line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if line.startswith("model name")]
    meminfo = Path("/proc/meminfo").read_text() if Path("/proc/meminfo").exists() else ""
    mem_kb = next((int(line.split()[1]) for line in meminfo.splitlines() if line.startswith("MemTotal")), 0)
    return {
        "nproc": os.cpu_count(),
        "cpu_model": models[0] if models else "?",
        "memory_mb": mem_kb // 1024,
        "loadavg_start": loadavg(),
    }


def commit_latency_ms(count: int = 200) -> float:
    """Median time of a one-row INSERT + COMMIT in the benchmark database: mostly the WAL flush (fsync) that
    every write request waits for once."""
    from django.db import connection

    timings = []
    with connection.cursor() as cursor:
        # a regular table: temporary ones are not WAL-logged, so their commits flush nothing
        cursor.execute("CREATE TABLE bench_commit (id serial PRIMARY KEY)")
        for _ in range(count):
            started = time.perf_counter()
            cursor.execute("INSERT INTO bench_commit DEFAULT VALUES")  # autocommit: one commit each
            timings.append((time.perf_counter() - started) * 1000)
        cursor.execute("DROP TABLE bench_commit")
    return round(statistics.median(timings), 2)


def loadavg() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def bench_env(*, database_url: str, cache_url: str, broker_url: str, smtp_port: int) -> dict:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("CELERY_", "TEST_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.bench",
        SECRET_KEY=secrets.token_urlsafe(64),
        DATABASE_URL=database_url,
        REDIS_URL=cache_url,
        CELERY_BROKER_URL=broker_url,
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp_port),
        EMAIL_USE_TLS="False",
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        NUM_TRUSTED_PROXIES="1",
        FRONTEND_URL="https://app.kinwise.example",
    )
    return env


class Bench:
    def __init__(self, args, run_dir: Path):
        self.args = args
        self.run_dir = run_dir
        self.processes: list[services.Process] = []
        self.results: dict = {"http": {}}
        self.ceiling: dict[int, float] = {}

    # --- service -------------------------------------------------------------------------------------------
    def start(self) -> None:
        args, log_dir = self.args, self.run_dir
        database_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
        services.ensure_postgres(database_url)
        if os.environ.get("BENCH_REDIS_URL") and os.environ.get("BENCH_BROKER_URL"):
            cache_url, broker_url = os.environ["BENCH_REDIS_URL"], os.environ["BENCH_BROKER_URL"]
        else:
            redis, redis_base = services.start_redis(log_dir)
            self.processes.append(redis)
            cache_url, broker_url = f"{redis_base}/0", f"{redis_base}/1"
        self.mail_dir = log_dir / "mail"
        sink, smtp_port = services.start_smtp_sink(self.mail_dir, dict(os.environ), log_dir)
        self.processes.append(sink)
        self.env = bench_env(
            database_url=database_url, cache_url=cache_url, broker_url=broker_url, smtp_port=smtp_port
        )
        # no collectstatic (no API answer serves a static file), but WhiteNoise wants the directory to exist
        self.env["STATIC_ROOT"] = str(log_dir / "static")
        (log_dir / "static").mkdir()
        log(f"fresh database {database_url.rsplit('/', 1)[-1]}, migrating")
        services.recreate_database(database_url)
        services.run_manage(["migrate", "--noinput", "-v", "0"], self.env)
        if args.profile:
            self.profile_dir = log_dir / "profile"
            self.profile_dir.mkdir()
            self.env["BENCH_PROFILE_DIR"] = str(self.profile_dir)
        gunicorn, self.base_url = services.start_gunicorn(workers=args.workers, env=self.env, log_dir=log_dir)
        self.processes.append(gunicorn)
        self.gunicorn = gunicorn
        worker, worker_command = services.start_worker(env=self.env, log_dir=log_dir)
        self.processes.append(worker)
        self.worker = worker
        self.results["config"] = {
            "gunicorn_workers": args.workers,
            "web": services.procfile_command("web"),
            "worker": worker_command,
            "duration": args.duration,
            "warmup": args.warmup,
            "concurrency": args.concurrency,
            "database": database_url.rsplit("/", 1)[-1],
            "settings": "config.settings.bench",
            "profiled": bool(args.profile),
        }
        # the driver's own requests (query counts) log only warnings; the services log as in production
        os.environ.update({**self.env, "LOG_LEVEL": "WARNING"})
        import django

        django.setup()
        from config.celery import app

        services.worker_ready(app)
        self.results["machine"]["commit_ms"] = commit_latency_ms()
        log(f"service up at {self.base_url}: gunicorn x{args.workers}, worker, redis, smtp sink")

    def stop(self) -> None:
        for process in reversed(self.processes):
            try:
                process.stop()
            except Exception as exc:  # noqa: BLE001 - keep stopping the others
                log(f"stopping {process.name} failed: {exc}")

    # --- load ----------------------------------------------------------------------------------------------
    def load(self, name: str, path: str, concurrency: int, bodies, cycle: bool = False) -> dict:
        for process in self.processes:
            process.check()
        cpu_before = self.cpu_snapshot()
        figures = run_load(
            url=self.base_url + path,
            bodies=bodies,
            concurrency=concurrency,
            duration=self.args.duration,
            warmup=self.args.warmup,
            cycle=cycle,
            headers=PROXY_HEADERS,
        )
        figures["loadavg"] = loadavg()
        # CPU spent per request by gunicorn (all workers), the database's backends and the Celery worker (the
        # emails a request queued), from /proc: unlike req/s, hardly moved by whatever else runs on the
        # machine. Warm-up requests are included. The point's emails are delivered before the second
        # snapshot (the worker may lag the requests), and backends opened and closed between the two
        # snapshots are counted too (bench/pgstats.py).
        from bench import data

        data.wait_outbox_drained(timeout=180)
        cpu_after = self.cpu_snapshot()
        figures.update(cpu_per_item(cpu_before, cpu_after, max(figures["consumed"], 1)))
        if name == "ceiling":
            self.ceiling[concurrency] = figures["rps"]
        elif self.ceiling.get(concurrency):
            figures["ratio"] = round(figures["rps"] / self.ceiling[concurrency], 3)
        self.results["http"].setdefault(name, {})[str(concurrency)] = figures
        log(
            f"{name:<12} c={concurrency:<3} {figures['rps']:8.0f} req/s  p50 {figures['p50_ms']:6.1f} ms  "
            f"p99 {figures['p99_ms']:6.1f} ms  errors {figures['errors']}  status {figures['status']}"
        )
        return figures

    def cpu_snapshot(self) -> tuple:
        from django.db import connection

        from bench import pgstats

        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            backends = [row[0] for row in cursor.fetchall()]
            stats = pgstats.snapshot(cursor)
        web = services.tree_cpu_seconds(self.gunicorn.pid)
        return web, services.cpu_seconds(backends), services.tree_cpu_seconds(self.worker.pid), stats

    def budget(self, concurrency: int, factor: float = 1.2) -> int:
        """How many distinct bodies a run can use at most: the ceiling's rate bounds every endpoint's."""
        rate = self.ceiling.get(concurrency) or 2000
        return math.ceil(rate * (self.args.duration + self.args.warmup) * factor) + 50

    def warm_up(self) -> None:
        """Every endpoint a few seconds at 2 x workers, unmeasured: each gunicorn worker pays its
        first-request costs (lazy imports, connections, URL resolver) here, not in a measured point."""
        from bench import data

        concurrency, seconds = 2 * self.args.workers, max(2.0, self.args.warmup)
        warm = {"duration": seconds, "warmup": 0, "concurrency": concurrency, "headers": PROXY_HEADERS}
        run_load(url=self.base_url + CEILING, bodies=None, **warm)
        emails = data.create_users("warm-otp", 3000)
        run_load(url=self.base_url + OTP_REQUEST, bodies=[{"email": e} for e in emails], **warm)
        self.mailbox = Mailbox(self.mail_dir)
        data.wait_outbox_drained(timeout=180)
        codes = self.mailbox.login_codes()
        bodies = [{"email": e, "code": c} for e, c in codes.items() if e.startswith("warm-")]
        run_load(url=self.base_url + OTP_VERIFY, bodies=bodies, **warm)
        bodies = [data.registration(f"warm-reg-{i}") for i in range(200)]
        run_load(url=self.base_url + REGISTER, bodies=bodies, **warm)
        emails = data.create_users("warm-login", 50)
        bodies = [{"email": email, "password": data.PASSWORD} for email in emails]
        run_load(url=self.base_url + LOGIN, bodies=bodies, cycle=True, **warm)
        data.wait_outbox_drained(timeout=180)
        log("warmed up: every endpoint served by every worker")

    def run_http(self) -> None:
        from bench import data

        levels = self.args.concurrency
        self.warm_up()
        for concurrency in levels:
            self.load("ceiling", CEILING, concurrency, None)

        # OTP request: each account asks once, so every request mails a new code (read back below).
        for concurrency in levels:
            emails = data.create_users(f"otp-c{concurrency}", self.budget(concurrency))
            self.load("otp_request", OTP_REQUEST, concurrency, [{"email": e} for e in emails])
        from bench.mailbox import Mailbox

        self.mailbox, fastest = Mailbox(self.mail_dir), 0.0
        used: set[str] = set()
        for concurrency in levels:
            # enough codes for this point: verify has run up to twice as fast as request, or as fast as seen
            rate = max(2 * self.results["http"]["otp_request"][str(concurrency)]["rps"], fastest)
            codes = self.login_codes(needed=math.ceil(1.3 * rate * self.point_seconds) + 20, used=used)
            bodies = [{"email": email, "code": code} for email, code in codes]
            figures = self.load("otp_verify", OTP_VERIFY, concurrency, bodies)
            used.update(email for email, _ in codes[: figures["consumed"]])
            fastest = max(fastest, figures["rps"])

        for concurrency in levels:
            count = self.budget(concurrency, 0.3)
            bodies = [data.registration(f"reg-c{concurrency}-{i}") for i in range(count)]
            self.load("register", REGISTER, concurrency, bodies)

        login_emails = data.create_users("login", 500)
        bodies = [{"email": email, "password": data.PASSWORD} for email in login_emails]
        for concurrency in levels:
            self.load("login", LOGIN, concurrency, bodies, cycle=True)

    @property
    def point_seconds(self) -> float:
        return self.args.duration + self.args.warmup

    def login_codes(self, *, needed: int, used: set[str]) -> list[tuple[str, str]]:
        """Unused codes read from the emails in the SMTP sink, at least `needed` of them: when the OTP request
        points did not mail enough, more are requested (untimed) and their emails awaited."""
        from bench import data

        data.wait_outbox_drained(timeout=180)
        codes = self.unused_codes(used)
        if len(codes) < needed:
            self.topups = getattr(self, "topups", 0) + 1
            extra = data.create_users(f"otp-topup{self.topups}", needed - len(codes))
            log(f"requesting {len(extra)} more login codes so that OTP verify cannot run dry")
            run_load(
                url=self.base_url + OTP_REQUEST,
                bodies=[{"email": e} for e in extra],
                concurrency=max(self.args.concurrency),
                duration=600,
                warmup=0,
                headers=PROXY_HEADERS,
            )
            data.wait_outbox_drained(timeout=180)
            codes = self.unused_codes(used)
        log(f"{len(codes)} unused login codes read from the SMTP sink")
        return codes

    def unused_codes(self, used: set[str]) -> list[tuple[str, str]]:
        codes = self.mailbox.login_codes()
        return [
            (email, code) for email, code in codes.items() if email.startswith("otp-") and email not in used
        ]

    def write_profiles(self) -> None:
        from bench.profiling import combine

        for path in (OTP_REQUEST, OTP_VERIFY):
            report = self.profile_dir / f"{path.strip('/').replace('/', '_')}.txt"
            report.write_text(combine(self.profile_dir, path))
            log(f"profile of {path}: {report.relative_to(BASE_DIR)}")

    # --- in-process figures --------------------------------------------------------------------------------
    def run_queries(self) -> None:
        from bench.queries import query_counts

        self.results["queries"] = query_counts(Mailbox(self.mail_dir))
        log(f"queries per request: {self.results['queries']}")

    def run_discovery(self) -> None:
        from bench.discovery import measure

        self.results["discovery"] = measure(base_url=self.base_url, headers=PROXY_HEADERS)
        log(f"existing vs unknown address, median ms: {self.results['discovery']}")

    def run_argon2(self) -> None:
        from django.contrib.auth.hashers import Argon2PasswordHasher, get_hasher

        hasher = get_hasher()
        timings = []
        for _ in range(5):
            started = time.perf_counter()
            hasher.encode("Bench-Pass-2024x", hasher.salt())
            timings.append((time.perf_counter() - started) * 1000)
        self.results["argon2"] = {
            "hasher": hasher.algorithm,
            "variant": "argon2id",
            "time_cost": getattr(hasher, "time_cost", None),
            "memory_cost": getattr(hasher, "memory_cost", None),
            "parallelism": getattr(hasher, "parallelism", None),
            "hash_ms": round(statistics.median(timings), 1),
        }
        if not isinstance(hasher, Argon2PasswordHasher):
            self.results["argon2"]["note"] = "the default hasher is not Argon2"

    def run_email_pipeline(self) -> None:
        from bench import data

        data.wait_outbox_drained(timeout=180)
        mailbox = Mailbox(self.mail_dir)
        before = mailbox.count()
        count = self.args.emails
        started = time.perf_counter()
        cpu_before = self.cpu_snapshot()
        data.enqueue_emails(count)
        enqueued = time.perf_counter()
        finished = mailbox.wait_for_count(before + count, timeout=300)
        total = finished - started
        data.wait_outbox_drained(timeout=60)  # the last rows marked sent: their worker CPU is in
        cpu = cpu_per_item(cpu_before, self.cpu_snapshot(), count, web=False)
        self.results["email_pipeline"] = {
            "emails": count,
            "enqueue_s": round(enqueued - started, 2),
            "total_s": round(total, 2),
            "emails_per_s": round(count / total, 1),
            "worker_concurrency": data.worker_concurrency(),
            "template": "login_otp (with an encrypted secret context)",
            "loadavg": loadavg(),
            **cpu,
        }
        log(f"email pipeline: {self.results['email_pipeline']}")

    def run_reminders(self) -> None:
        """Last: the worker is stopped first, so the job has the machine to itself and the emails it queues
        wait in the broker (their delivery rate is the email pipeline's figure; bench/reminders.py deletes
        the rows afterwards, so those messages would find nothing to send anyway)."""
        from bench import data

        for process in self.processes:
            if process.name == "worker":
                process.stop()

        self.results["reminders"] = data.reminders(self.args.reminders)
        log(f"bill reminders: {self.results['reminders'].get('status')}")


def cpu_per_item(before: tuple, after: tuple, items: int, *, web: bool = True) -> dict:
    """CPU ms per request (or email) of gunicorn, Postgres and the worker between two cpu_snapshot()s, from
    /proc: unlike req/s, hardly moved by whatever else runs on the machine. Postgres: the live backends'
    CPU plus the share of short-lived ones (bench/pgstats.py); and the connections opened per item."""
    from bench import pgstats

    live = sum(seconds - before[1].get(pid, 0.0) for pid, seconds in after[1].items())
    short = pgstats.difference(before[3], after[3])
    figures = {
        "db_cpu_ms": round((live + short["short_lived_cpu"]) * 1000 / items, 2),
        "db_short_lived_cpu_ms": round(short["short_lived_cpu"] * 1000 / items, 2),  # an estimate
        "db_new_connections": short["new_sessions"],
        "db_new_connections_per_item": round(short["new_sessions"] / items, 3),
        "cluster_new_connections": short["cluster_new_sessions"],
        "worker_cpu_ms": round((after[2] - before[2]) * 1000 / items, 2),
    }
    if web:
        figures["web_cpu_ms"] = round((after[0] - before[0]) * 1000 / items, 2)
    return figures


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def parse_args(argv):
    parser = argparse.ArgumentParser(description="KinWise benchmark: see docs/PERFORMANCE.md")
    parser.add_argument("--duration", type=float, default=5.0, help="measured seconds per point")
    parser.add_argument("--warmup", type=float, default=1.0, help="unmeasured seconds before each point")
    parser.add_argument("--concurrency", default="1,8,16", help="comma-separated levels")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1), help="gunicorn workers")
    parser.add_argument("--emails", type=int, default=1000, help="emails through the outbox pipeline")
    parser.add_argument("--reminders", default="10000,100000", help="due-bill counts for the reminder job")
    parser.add_argument(
        "--only", default="", help="comma-separated parts: http,queries,discovery,pipeline,reminders"
    )
    parser.add_argument(
        "--profile", action="store_true", help="pyinstrument in the web workers for OTP request/verify"
    )
    parser.add_argument("--quick", action="store_true", help="1 s points, 200 emails, 1000 bills: a check")
    args = parser.parse_args(argv)
    args.concurrency = [int(c) for c in args.concurrency.split(",") if c.strip()]
    args.reminders = [int(n) for n in args.reminders.split(",") if n.strip()]
    if args.quick:
        args.duration, args.warmup, args.emails, args.reminders = 1.0, 0.5, 200, [1000]
    parts = {part for part in args.only.split(",") if part}
    args.only = parts or {"http", "queries", "discovery", "pipeline", "reminders"}
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    started_at = datetime.now(UTC)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    run_dir = Path(tempfile.mkdtemp(prefix=f"run-{started_at:%Y%m%d-%H%M%S}-", dir=RESULTS_DIR))
    bench = Bench(args, run_dir)
    bench.results["started_at"] = started_at.isoformat(timespec="seconds")
    bench.results["machine"] = machine_info()
    clock = time.perf_counter()
    try:
        bench.start()
        if "queries" in args.only:
            bench.run_queries()
        if "discovery" in args.only:
            bench.run_discovery()
        bench.run_argon2()
        if "http" in args.only:
            bench.run_http()
            if args.profile:
                bench.write_profiles()
        if "pipeline" in args.only:
            bench.run_email_pipeline()
        if "reminders" in args.only:
            bench.run_reminders()
    finally:
        bench.stop()
    bench.results["machine"]["loadavg_end"] = loadavg()
    bench.results["total_seconds"] = round(time.perf_counter() - clock, 1)
    table = render(bench.results)
    print(table)
    out = RESULTS_DIR / f"bench-{started_at:%Y%m%d-%H%M%S}.json"
    out.write_text(json.dumps({**bench.results, "table": table}, indent=2))
    (RESULTS_DIR / "latest.json").write_text(out.read_text())
    log(f"figures saved to {out.relative_to(BASE_DIR)}; logs and mail in {run_dir.relative_to(BASE_DIR)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
