"""Outbox throughput on this machine: how fast emails are queued, delivered by real Celery workers over SMTP,
and how fast the sweeper scans. The figures docs/SCALING.md builds its paper model on.

    .venv/bin/python bench/outbox_delivery.py [--emails 2000] [--concurrency 1 2]

Needs Postgres and redis-server. Uses its own database kinwise_bench_ops (recreated) and its own
redis-server (cache db 0, broker db 1); a real worker process (`celery worker --queues emails`) delivers to an
in-process SMTP sink that accepts every message. Prints one line per measurement and a JSON summary.
"""

import argparse
import json
import os
import platform
import secrets
import socket
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
from bench.services import start_redis  # noqa: E402

LOG_DIR = BASE_DIR / "var" / "bench-ops"
LOG_DIR.mkdir(parents=True, exist_ok=True)
POSTGRES = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432").rstrip("/")
# A private redis-server on a free port (bench.services.start_redis): scripts/smoke, other checkouts' tests
# and this benchmark would otherwise flush or consume each other's queues on the shared Redis.
REDIS = ""
DATABASE = "kinwise_bench_ops"  # not kinwise_bench: `make bench` recreates that one


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class CountingSink:
    def __init__(self):
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 — aiosmtpd's hook name
        with self.lock:
            self.count += 1
        return "250 OK"


def configure(smtp_port: int) -> dict[str, str]:
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "DATABASE_URL": f"{POSTGRES}/{DATABASE}",
        "REDIS_URL": f"{REDIS}/0",
        "CELERY_BROKER_URL": f"{REDIS}/1",
        "CELERY_RESULT_BACKEND": "",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "EMAIL_USE_TLS": "False",
        "FRONTEND_URL": "https://app.kinwise.bench",
        "ALLOWED_HOSTS": "localhost",
        "LOG_LEVEL": "WARNING",
        "CELERY_QUIET": "1",
        "CELERY_WORKER_CONCURRENCY": "1",
    }
    os.environ.update(env)
    return env


def recreate_database() -> None:
    import psycopg

    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DATABASE}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--emails", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    global REDIS
    redis_server, REDIS = start_redis(LOG_DIR)
    try:
        run(args)
    finally:
        redis_server.stop()


def run(args) -> None:
    from aiosmtpd.controller import Controller

    sink = CountingSink()
    smtp_port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=smtp_port, server_hostname="localhost")
    controller.start()
    env = {**os.environ, **configure(smtp_port), "PATH": f"{BASE_DIR / '.venv/bin'}:{os.environ['PATH']}"}
    recreate_database()
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=BASE_DIR,
        env=env,
        check=True,
        capture_output=True,
    )

    import django

    sys.path.insert(0, str(BASE_DIR))
    django.setup()
    import redis
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from apps.emails.models import EmailOutbox, EmailStatus
    from apps.emails.services import email_send, email_sweep

    redis.Redis.from_url(f"{REDIS}/1").flushdb()
    results: dict[str, object] = {
        "machine": f"{platform.node()} {os.cpu_count()} CPUs",
        "load_at_start": round(os.getloadavg()[0], 1),
        "emails": args.emails,
    }

    for concurrency in args.concurrency:
        EmailOutbox.objects.all().delete()
        sink.count = 0
        # 1. queue: one email_send per row inside one transaction; publish to the broker on commit
        started = time.perf_counter()
        with transaction.atomic():
            for i in range(args.emails):
                email_send(
                    to=f"user{i}@example.com",
                    template="login_otp",
                    context={"name": "Bench"},
                    secret_context={"otp_code": f"{i % 1000000:06d}"},
                )
        queued = time.perf_counter() - started  # rows inserted and tasks published (on_commit)
        print(
            f"queue: {args.emails} emails inserted+published in {queued:.2f}s = {args.emails / queued:.0f}/s"
        )

        worker_log = (LOG_DIR / f"worker-c{concurrency}.log").open("w")
        # 2. deliver: a real worker process, `concurrency` prefork children, queue "emails" only
        worker = subprocess.Popen(
            ["celery", "-A", "config", "worker", "--queues", "emails", "--concurrency", str(concurrency)],
            cwd=BASE_DIR,
            env=env,
            stdout=worker_log,
            stderr=subprocess.STDOUT,
        )
        first = None
        deadline = time.monotonic() + 240
        while sink.count < args.emails and time.monotonic() < deadline:
            if first is None and sink.count:
                first = time.perf_counter()
            time.sleep(0.05)
        done = time.perf_counter()
        worker.terminate()
        worker.wait(timeout=60)
        sent = EmailOutbox.objects.filter(status=EmailStatus.SENT).count()
        assert sink.count == args.emails == sent, (sink.count, sent)
        assert first is not None
        rate = (args.emails - 1) / (done - first)
        print(
            f"deliver: concurrency {concurrency}: {rate:.0f} emails/s (first to last message, loopback SMTP)"
        )
        from django_celery_results.models import TaskResult

        results["result_rows_per_email"] = round(TaskResult.objects.count() / args.emails, 2)
        TaskResult.objects.all().delete()
        results[f"queue_per_s_c{concurrency}"] = round(args.emails / queued)
        results[f"deliver_per_s_c{concurrency}"] = round(rate)

    # 3. a batched job's write path: outbox rows bulk-inserted in chunks of 1000, without publishing (what one
    #    chunk task of a fan-out can do)
    EmailOutbox.objects.all().delete()
    rows = args.emails * 10
    started = time.perf_counter()
    for offset in range(0, rows, 1000):
        with transaction.atomic():
            EmailOutbox.objects.bulk_create(
                EmailOutbox(to=f"user{offset + i}@example.com", template="bill_reminder", context={"n": i})
                for i in range(min(1000, rows - offset))
            )
    bulk = time.perf_counter() - started
    print(f"bulk: {rows} outbox rows in chunks of 1000 in {bulk:.2f}s = {rows / bulk:.0f}/s")
    results["bulk_insert_per_s"] = round(rows / bulk)

    # 4. publish only: one delivery task message per row (ids only), as on_commit does
    ids = list(EmailOutbox.objects.values_list("id", flat=True)[:1000])
    from apps.emails.tasks import deliver_email

    broker = redis.Redis.from_url(f"{REDIS}/1")
    started = time.perf_counter()
    for outbox_id in ids:
        deliver_email.apply_async(args=(outbox_id,))
    publish = time.perf_counter() - started
    waiting = broker.llen("emails")
    memory = broker.memory_usage("emails", samples=0) or 0  # the queue is a Redis list
    per_message = memory / max(waiting, 1)
    print(f"publish: {len(ids)} task messages in {publish:.2f}s = {len(ids) / publish:.0f}/s")
    print(f"broker: {waiting} messages waiting, {per_message:.0f} bytes of Redis memory each")
    results["publish_per_s"] = round(len(ids) / publish)
    results["broker_bytes_per_message"] = round(per_message)
    redis.Redis.from_url(f"{REDIS}/1").flushdb()

    # 5. sweeper: one scan of the table of bulk rows (not yet due) in which 500 rows are overdue
    EmailOutbox.objects.filter(id__in=EmailOutbox.objects.values("id")[:500]).update(
        status=EmailStatus.PENDING, next_attempt_at=timezone.now() - timedelta(hours=1)
    )
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        enqueued = email_sweep()
        swept = time.perf_counter() - started
    print(
        f"sweep: {enqueued} due rows found and re-enqueued in {swept * 1000:.0f}ms ({len(queries)} queries)"
    )
    results["sweep_500_ms"] = round(swept * 1000)
    results["sweep_queries"] = len(queries)
    redis.Redis.from_url(f"{REDIS}/1").flushdb()
    controller.stop()
    results["load_at_end"] = round(os.getloadavg()[0], 1)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
