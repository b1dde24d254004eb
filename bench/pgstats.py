"""Postgres figures the per-backend /proc reading misses: connections opened during a point, and the CPU of
backends that came and went between two snapshots.

A backend that lives for one task (Celery's fixup used to close the connection after every task) is gone by
the second snapshot, so its CPU was never counted. When it exits, the postmaster reaps it, and the kernel
adds its CPU to the postmaster's cutime + cstime. That counter is cluster-wide: on a shared machine other
clients' short backends land in it too. So the bench attributes to its own database the share of the reaped
CPU that its own sessions make of all the sessions that started (pg_stat_database.sessions, PG 14+) — an
estimate, marked as such in the JSON, exact when the bench is alone on the cluster.
"""

import os
from dataclasses import dataclass
from pathlib import Path

_TICK = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Snapshot:
    sessions: dict[int, int]  # datid -> sessions started so far
    own_datid: int
    reaped_cpu: float  # seconds: the postmaster's cutime + cstime


def _parent_pid(pid: int) -> int | None:
    """The postmaster: the parent of any backend (Postgres on this machine, the bench's own requirement)."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(raw[raw.rindex(")") + 2 :].split()[1])


def _reaped_cpu(pid: int | None) -> float:
    if pid is None:
        return 0.0
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = raw[raw.rindex(")") + 2 :].split()
    return (int(fields[13]) + int(fields[14])) / _TICK  # cutime, cstime


def snapshot(cursor) -> Snapshot:
    cursor.execute("SELECT datid, sessions FROM pg_stat_database WHERE datid <> 0")
    sessions = dict(cursor.fetchall())
    cursor.execute("SELECT oid FROM pg_database WHERE datname = current_database()")
    (own,) = cursor.fetchone()
    cursor.execute("SELECT pg_backend_pid()")
    (backend,) = cursor.fetchone()
    return Snapshot(sessions, own, _reaped_cpu(_parent_pid(backend)))


def difference(before: Snapshot, after: Snapshot) -> dict:
    """New sessions in the bench database (minus the driver's own: none, it keeps one connection), all new
    sessions on the cluster, and the reaped CPU attributed to the bench database (seconds)."""
    own = after.sessions.get(after.own_datid, 0) - before.sessions.get(before.own_datid, 0)
    common = [datid for datid in after.sessions if datid in before.sessions]
    everyone = sum(max(0, after.sessions[datid] - before.sessions[datid]) for datid in common)
    reaped = max(0.0, after.reaped_cpu - before.reaped_cpu)
    share = own / everyone if everyone else 0.0
    return {"new_sessions": own, "cluster_new_sessions": everyone, "short_lived_cpu": reaped * share}
