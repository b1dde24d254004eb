"""The daily bill-reminder job over many due bills: items per second and peak memory.

    .venv/bin/python bench/reminders.py [--sizes 10000,100000] [--members 1]

Runs on whatever DATABASE_URL says (migrated; default: the SQLite file of `make run`), with the settings in
DJANGO_SETTINGS_MODULE (default config.settings.local, DEBUG forced off so the query log does not count).
`make bench` calls `measure(count)` inside its production-like service (Postgres, Redis, a worker).

For each size it seeds `count` unpaid bills due tomorrow in households spread over four time zones, then:
  1. runs the job as the daily task does — the dispatcher streams ids into chunk ranges, each chunk claims its
     reminders, writes notifications and outbox emails and publishes their delivery tasks — with every chunk
     run here one after another (what one worker does; fan-out only spreads chunks over workers), timed;
  2. deletes what that run produced and runs it again under tracemalloc for the peak of Python allocations
     (tracing slows Python down, hence the separate run).
Everything it created is deleted afterwards (delivery messages already published find no row and are skipped).
"""

import argparse
import gc
import os
import resource
import secrets
import sys
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

ZONES = ("Europe/Paris", "America/New_York", "Asia/Tokyo", "UTC")
DOMAIN = "reminders.bench.example"
BILLS_PER_HOUSEHOLD = 20


def _setup_django() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    os.environ["DEBUG"] = "False"
    import django

    django.setup()


def _seed(tag: str, count: int, members: int, at: datetime) -> None:
    from apps.bills.models import Bill
    from apps.households.models import Household, Membership, Role
    from apps.users.models import User

    households = max(1, count // BILLS_PER_HOUSEHOLD)
    homes = Household.objects.bulk_create(
        [
            Household(name=f"{tag}-{n}", time_zone=ZONES[n % len(ZONES)], currency="EUR")
            for n in range(households)
        ],
        batch_size=2000,
    )
    users = User.objects.bulk_create(
        [
            User(email=f"{tag}-{n}-{m}@{DOMAIN}", first_name="Bench", email_verified=True)
            for n in range(households)
            for m in range(members)
        ],
        batch_size=2000,
    )
    Membership.objects.bulk_create(
        [
            Membership(
                household=homes[i // members], user=user, role=Role.OWNER if i % members == 0 else Role.MEMBER
            )
            for i, user in enumerate(users)
        ],
        batch_size=2000,
    )
    # "tomorrow" at `at` (noon UTC) is the same calendar date in all four zones
    due = at.date() + timedelta(days=1)
    for start in range(0, count, 5000):
        Bill.objects.bulk_create(
            [
                Bill(
                    household=homes[n % households],
                    name=f"Bill {n}",
                    amount=Decimal("49.90"),
                    currency="EUR",
                    due_date=due,
                    anchor_day=due.day,
                    reminder_days_before=3,
                    remind_from=due - timedelta(days=3),
                    payee="Utility",
                )
                for n in range(start, min(start + 5000, count))
            ]
        )


def _run_job(at: datetime) -> tuple[int, int]:
    """The reminder task's work: (reminders sent, chunks)."""
    from apps.bills.services.reminders import bill_reminder_ranges, bill_reminders_send_range

    ranges = bill_reminder_ranges(at=at)
    sent = sum(bill_reminders_send_range(start_id=r.start, end_id=r.end, at=at) for r in ranges)
    return sent, len(ranges)


def _forget_run(tag: str) -> None:
    """Delete what a run produced (claims, notifications, outbox rows) so the job can run again."""
    from apps.bills.models import BillReminder
    from apps.emails.models import EmailOutbox
    from apps.notifications.models import Notification

    BillReminder.objects.filter(bill__household__name__startswith=f"{tag}-").delete()
    Notification.objects.filter(household__name__startswith=f"{tag}-").delete()
    EmailOutbox.objects.filter(to__startswith=f"{tag}-", to__endswith=f"@{DOMAIN}").delete()


def _cleanup(tag: str) -> None:
    from apps.households.models import Household
    from apps.users.models import User

    _forget_run(tag)
    Household.objects.filter(name__startswith=f"{tag}-").delete()
    User.objects.filter(email__startswith=f"{tag}-", email__endswith=f"@{DOMAIN}").delete()


def _backend_cpu() -> float | None:
    """CPU seconds of this process's own Postgres backend (/proc: Postgres runs here); None elsewhere."""
    from django.db import connection

    from bench import services

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    return services.cpu_seconds([pid]).get(pid)


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def measure(count: int, *, members: int = 1) -> dict:
    """Seed `count` due bills, run the reminder job over them, clean up. Needs Django set up."""
    tag = f"rb{count}x{secrets.token_hex(3)}"
    at = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)
    try:
        seed_started = time.perf_counter()
        _seed(tag, count, members, at)
        seed_seconds = time.perf_counter() - seed_started

        gc.collect()
        db_before, cpu_before = _backend_cpu(), time.process_time()
        started = time.perf_counter()
        sent, chunks = _run_job(at)
        seconds = time.perf_counter() - started
        cpu, db_after = time.process_time() - cpu_before, _backend_cpu()
        db = None if db_before is None or db_after is None else db_after - db_before

        _forget_run(tag)
        gc.collect()
        tracemalloc.start()
        traced_sent, _ = _run_job(at)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    finally:
        _cleanup(tag)
    if sent != count * members or traced_sent != sent:
        raise RuntimeError(f"expected {count * members} reminders per run, got {sent} and {traced_sent}")
    return {
        "bills": count,
        "reminders": sent,
        "chunks": chunks,
        "seconds": round(seconds, 3),
        "items_per_s": round(sent / seconds, 1),
        # CPU per reminder: hardly moved by what else runs on the machine, unlike reminders/s
        "python_cpu_ms": round(cpu * 1000 / sent, 3),
        "db_cpu_ms": round(db * 1000 / sent, 3) if db is not None else None,
        "loadavg": " ".join(f"{value:.2f}" for value in os.getloadavg()),
        "peak_memory_mb": round(peak / 2**20, 2),
        "process_max_rss_mb": round(_rss_mb(), 1),
        "seed_seconds": round(seed_seconds, 1),
    }


def _cpu_text(r: dict) -> str:
    db = "?" if r["db_cpu_ms"] is None else f"{r['db_cpu_ms']:.3f}"
    return f"{r['python_cpu_ms']:.3f} + {db}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000", help="comma-separated due-bill counts")
    parser.add_argument("--members", type=int, default=1, help="reminded members per household")
    args = parser.parse_args(argv)
    from django.conf import settings
    from django.db import connection

    broker = settings.CELERY_BROKER_URL.split("@")[-1]
    print(f"database: {connection.vendor} {settings.DATABASES['default']['NAME']} | broker: {broker}")
    print(f"chunk size: {settings.BILL_REMINDER_CHUNK_SIZE}")
    print(
        f"{'bills':>9} {'reminders':>10} {'chunks':>7} {'seconds':>8} {'items/s':>9} {'peak MB':>8} "
        f"{'CPU ms/item: py + db':>21}"
    )
    for size in [int(s) for s in args.sizes.split(",") if s.strip()]:
        r = measure(size, members=args.members)
        print(
            f"{r['bills']:>9,} {r['reminders']:>10,} {r['chunks']:>7} {r['seconds']:>8.2f} "
            f"{r['items_per_s']:>9,.0f} {r['peak_memory_mb']:>8.1f} {_cpu_text(r):>21}"
        )
    print("peak MB: tracemalloc peak of Python allocations during the job (flat in N = batched, streamed)")
    print("CPU ms/item: this process (the job's Python) + its Postgres backend, per reminder")
    return 0


if __name__ == "__main__":
    _setup_django()
    sys.exit(main())
