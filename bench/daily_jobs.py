"""The daily reminder and milestone jobs on this machine: items per second, queries and memory per chunk —
the per-process figures of the 10-million-household model in docs/SCALING.md.

    .venv/bin/python bench/daily_jobs.py [--households 2500] [--chunk 500]

Needs Postgres and redis-server. Own database kinwise_bench_ops (recreated) and its own redis-server.
Seeds `households` households with 2 reminded members, 4 bills due tomorrow and 2 goals each (a third of the
goals just past 50 %), then runs each job's chunks one after another in this process — exactly what one
worker process does with the chunk tasks; the emails they queue are published to the broker on commit, as in
production. Then one real worker process (`--queues notifications,emails`) delivers them all to an SMTP sink.
"""

import argparse
import json
import os
import resource
import secrets
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aiosmtpd.controller import Controller

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
from bench.services import start_redis  # noqa: E402

LOG_DIR = BASE_DIR / "var" / "bench-ops"
LOG_DIR.mkdir(parents=True, exist_ok=True)
POSTGRES = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432").rstrip("/")
# A private redis-server on a free port (bench.services.start_redis): scripts/smoke, other checkouts' tests
# and this benchmark would otherwise flush or consume each other's queues on the shared Redis.
REDIS = ""
DATABASE = "kinwise_bench_ops"
AT = datetime(2030, 3, 10, 9, 0, tzinfo=UTC)


class CountingSink:
    count = 0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 — aiosmtpd's hook name
        CountingSink.count += 1
        return "250 OK"


def start_sink() -> "tuple[Controller, int]":
    from aiosmtpd.controller import Controller

    from bench.services import free_port

    port = free_port()
    controller = Controller(CountingSink(), hostname="127.0.0.1", port=port, server_hostname="localhost")
    controller.start()
    return controller, port


def deliver(results: dict) -> None:
    """A real worker on the queues the jobs publish to drains every queued email into the SMTP sink."""
    from apps.emails.models import EmailOutbox, EmailStatus

    total = EmailOutbox.objects.count()
    log = (LOG_DIR / "daily-jobs-worker.log").open("w")
    argv = ["celery", "-A", "config", "worker", "--queues", "notifications,emails", "--concurrency", "1"]
    env = {**os.environ, "PATH": f"{BASE_DIR / '.venv/bin'}:{os.environ['PATH']}"}
    worker = subprocess.Popen(argv, cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT)
    first = None
    deadline = time.monotonic() + 300
    while CountingSink.count < total and time.monotonic() < deadline:
        if first is None and CountingSink.count:
            first = time.perf_counter()
        time.sleep(0.05)
    done = time.perf_counter()
    worker.terminate()
    worker.wait(timeout=60)
    sent = EmailOutbox.objects.filter(status=EmailStatus.SENT).count()
    assert CountingSink.count == total == sent, (CountingSink.count, total, sent)
    assert first is not None
    rate = (total - 1) / (done - first)
    print(f"delivery: {total} emails by one worker process (batches of 100 ids per task): {rate:.0f}/s")
    results["delivery_emails_per_s"] = round(rate)


def setup(smtp_port: int) -> None:
    import psycopg

    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "DATABASE_URL": f"{POSTGRES}/{DATABASE}",
        "REDIS_URL": f"{REDIS}/0",
        "CELERY_BROKER_URL": f"{REDIS}/1",
        "CELERY_RESULT_BACKEND": "",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "CELERY_QUIET": "1",
        "FRONTEND_URL": "https://app.kinwise.bench",
        "ALLOWED_HOSTS": "localhost",
        "LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)
    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DATABASE}")
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=BASE_DIR,
        env={**os.environ},
        check=True,
        capture_output=True,
    )
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()


def seed(households: int) -> None:
    from apps.bills.models import Bill
    from apps.goals.models import Goal
    from apps.households.models import Household, Membership, Role
    from apps.users.models import User

    due = AT.date() + timedelta(days=1)
    for offset in range(0, households, 1000):
        count = min(1000, households - offset)
        users = User.objects.bulk_create(
            [
                User(email=f"b{offset + i}-{k}@example.com", email_verified=True)
                for i in range(count)
                for k in (0, 1)
            ]
        )
        homes = Household.objects.bulk_create(
            [
                Household(
                    name=f"H{offset + i}",
                    time_zone=("Europe/Berlin", "America/New_York", "Asia/Tokyo")[i % 3],
                )
                for i in range(count)
            ]
        )
        Membership.objects.bulk_create(
            [
                Membership(household=home, user=users[2 * i + k], role=(Role.OWNER, Role.MEMBER)[k])
                for i, home in enumerate(homes)
                for k in (0, 1)
            ]
        )
        Bill.objects.bulk_create(
            [
                Bill(
                    household=home,
                    name=f"Bill {b}",
                    amount=Decimal("42.00"),
                    currency="EUR",
                    due_date=due,
                    anchor_day=due.day,
                    reminder_days_before=3,
                    remind_from=due - timedelta(days=3),
                )
                for home in homes
                for b in range(4)
            ]
        )
        Goal.objects.bulk_create(
            [
                Goal(
                    household=home,
                    name=f"Goal {g}",
                    target_amount=Decimal("1000.00"),
                    current_amount=Decimal("510.00") if (i + g) % 3 == 0 else Decimal("100.00"),
                    currency="EUR",
                )
                for i, home in enumerate(homes)
                for g in range(2)
            ]
        )


def run_job(name: str, ranges_of, run_range) -> dict:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    from apps.emails.models import EmailOutbox
    from apps.notifications.models import Notification

    notifications_before, emails_before = Notification.objects.count(), EmailOutbox.objects.count()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with CaptureQueriesContext(connection) as dispatch_queries:
        started = time.perf_counter()
        ranges = ranges_of()
        dispatch = time.perf_counter() - started
    chunk_seconds, chunk_queries, sent = [], [], 0
    for r in ranges:
        reset_queries()
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            sent += run_range(r)
            chunk_seconds.append(time.perf_counter() - started)
        chunk_queries.append(len(queries))
    total = dispatch + sum(chunk_seconds)
    result = {
        "chunks": len(ranges),
        "notifications": Notification.objects.count() - notifications_before,
        "emails_queued": EmailOutbox.objects.count() - emails_before,
        "sent": sent,
        "dispatch_s": round(dispatch, 2),
        "dispatch_queries": len(dispatch_queries),
        "chunk_s_mean": round(sum(chunk_seconds) / max(len(chunk_seconds), 1), 3),
        "chunk_queries_max": max(chunk_queries, default=0),
        "total_s": round(total, 2),
        "notifications_per_s": round(sent / total) if total else 0,
        "peak_rss_growth_mb": round(
            (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) / 1024, 1
        ),
    }
    print(
        f"{name}: {sent} notifications, {len(ranges)} chunks, {total:.1f}s, "
        f"{result['notifications_per_s']}/s "
        f"(per chunk {result['chunk_s_mean']}s, at most {result['chunk_queries_max']} queries; "
        f"dispatch {dispatch:.2f}s / {len(dispatch_queries)} queries)"
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=2500)
    parser.add_argument("--chunk", type=int, default=500)
    args = parser.parse_args()
    global REDIS
    redis_server, REDIS = start_redis(LOG_DIR)
    try:
        run(args)
    finally:
        redis_server.stop()


def run(args) -> None:
    sink, smtp_port = start_sink()
    setup(smtp_port)
    import redis
    from django.conf import settings

    from apps.bills.services.reminders import bill_reminder_ranges, bill_reminders_send_range
    from apps.goals.services.milestones import goal_milestone_ranges, goal_milestones_check_range

    settings.BILL_REMINDER_CHUNK_SIZE = settings.GOAL_MILESTONE_CHUNK_SIZE = args.chunk
    redis.Redis.from_url(f"{REDIS}/1").flushdb()
    started = time.perf_counter()
    seed(args.households)
    seeded = time.perf_counter() - started
    print(f"seed: {args.households} households, {4 * args.households} bills: {seeded:.1f}s")
    results = {
        "machine": f"{os.cpu_count()} CPUs",
        "load_at_start": round(os.getloadavg()[0], 1),
        "households": args.households,
        "bills": 4 * args.households,
        "goals": 2 * args.households,
        "chunk_size": args.chunk,
        "reminders": run_job(
            "reminders",
            lambda: bill_reminder_ranges(at=AT),
            lambda r: bill_reminders_send_range(start_id=r.start, end_id=r.end, at=AT),
        ),
        "milestones": run_job(
            "milestones",
            goal_milestone_ranges,
            lambda r: goal_milestones_check_range(start_id=r.start, end_id=r.end),
        ),
    }
    # the milestone candidate scan when nothing is due: its daily cost over every goal
    started = time.perf_counter()
    idle = goal_milestone_ranges()
    results["milestone_idle_scan_s"] = round(time.perf_counter() - started, 3)
    print(
        f"milestones, nothing due: scanned {2 * args.households} goals in {results['milestone_idle_scan_s']}s"
    )
    assert idle == []
    deliver(results)
    sink.stop()
    results["load_at_end"] = round(os.getloadavg()[0], 1)
    redis.Redis.from_url(f"{REDIS}/1").flushdb()
    print(json.dumps(results))


if __name__ == "__main__":
    main()
