"""Benchmark data, written straight into the benchmark database (import after django.setup())."""

import importlib
import time
from functools import cache

from django.contrib.auth.hashers import make_password
from django.db import transaction

from apps.emails.models import EmailOutbox, EmailStatus
from apps.emails.services import email_send
from apps.users.models import User

PASSWORD = "Bench-Pass-2024x"  # noqa: S105 — the benchmark accounts' password
DOMAIN = "bench.example.com"


@cache
def password_hash() -> str:
    """One real hash (the default hasher: Argon2) shared by every benchmark account: checking it costs the
    same as checking a hash of its own, and hashing 10 000 passwords would take minutes."""
    return make_password(PASSWORD)


def create_users(prefix: str, count: int, *, verified: bool = True) -> list[str]:
    """Active, verified accounts `<prefix>-<n>@bench.example.com` that can log in with PASSWORD (with
    verified=False: accounts waiting for email verification, inactive, as registration leaves them)."""
    emails = [f"{prefix}-{n}@{DOMAIN}" for n in range(count)]
    User.objects.bulk_create(
        [
            User(
                email=e,
                password=password_hash(),
                first_name="Bench",
                is_active=verified,
                email_verified=verified,
            )
            for e in emails
        ],
        batch_size=2000,
    )
    return emails


def registration(local_part: str) -> dict:
    email = f"{local_part}@{DOMAIN}"
    return {"email": email, "password": PASSWORD, "password_confirm": PASSWORD, "first_name": "Bench"}


def wait_outbox_drained(timeout: float) -> None:
    """Until no email is pending or being sent (the worker has delivered everything queued so far)."""
    deadline = time.monotonic() + timeout
    busy = EmailOutbox.objects.filter(status__in=[EmailStatus.PENDING, EmailStatus.SENDING])
    while busy.exists():
        if time.monotonic() > deadline:
            raise RuntimeError(f"{busy.count()} emails still undelivered after {timeout:.0f}s")
        time.sleep(0.1)


def enqueue_emails(count: int) -> None:
    """`count` login-code emails through the outbox, committed together (published on commit)."""
    with transaction.atomic():
        for n in range(count):
            email_send(
                to=f"pipeline-{n}@{DOMAIN}",
                template="login_otp",
                context={"name": "Bench"},
                secret_context={"otp_code": f"{n % 10**6:06d}"},
            )


def worker_concurrency() -> str:
    from config.celery import app

    stats = app.control.inspect(timeout=2.0).stats() or {}
    pools = [worker.get("pool", {}) for worker in stats.values()]
    if not pools:
        return "unknown pool"
    pool = pools[0]
    kind = str(pool.get("implementation", "?")).rsplit(":", 1)[0].rsplit(".", 1)[-1]
    return f"{kind} pool of {pool.get('max-concurrency', '?')}"


def reminders(sizes: list[int]) -> dict:
    """The daily bill-reminder job over each of `sizes` due bills: bench/reminders.py (the bills issue's
    measurement), here in the benchmark's own process on its Postgres and broker."""
    try:
        importlib.import_module("apps.bills.tasks")
    except ImportError:
        return {"status": "not run: apps.bills.tasks.send_bill_reminders is not in this checkout"}
    from bench import reminders as job

    return {"status": "ok", "runs": {str(size): job.measure(size) for size in sizes}}
