"""`make run` on the embedded default: web, a separate worker and beat, a file broker, mail to files.

Runs the real thing in a temporary directory (its own SQLite file, broker folder and mail folder), so it needs
neither Postgres nor Redis and never touches var/.
"""

import json
import os
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from tests.support import ROOT, Process, free_port, venv_env, wait_until


def _readyz(port: int) -> dict:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as response:
            return json.loads(response.read())
    except OSError:
        return {}


def _mails(folder: Path) -> list[str]:
    return [path.read_text() for path in sorted(folder.glob("*.log"))] if folder.exists() else []


def _send_test_emails(*runs: tuple[str, dict]) -> None:
    """`manage.py send_test_email ADDRESS` once per (address, env), all at the same time."""
    commands = [
        subprocess.Popen(
            [sys.executable, "manage.py", "send_test_email", address],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for address, env in runs
    ]
    for (address, _), command in zip(runs, commands, strict=True):
        out, err = command.communicate(timeout=180)  # a cold Django start on a loaded machine
        assert command.returncode == 0, err
        assert f"to {address}" in out


@pytest.fixture
def embedded(tmp_path):
    port = free_port()
    env = venv_env(
        DATABASE_URL=f"sqlite:///{tmp_path / 'kinwise.sqlite3'}",
        CELERY_BROKER_DIR=str(tmp_path / "broker"),
        EMAIL_FILE_PATH=str(tmp_path / "mail"),
        GUNICORN_BIND=f"127.0.0.1:{port}",
        # beat runs the outbox sweeper every second, for rows that are due at once
        EMAIL_OUTBOX_SWEEP_SECONDS="1",
        EMAIL_OUTBOX_GRACE_SECONDS="0",
    )
    run = Process(["make", "run"], env=env, log=tmp_path / "make-run.log")
    try:
        # make builds the web app and migrates a new SQLite file first: minutes on a loaded machine
        run.wait_for_output("worker.1 | ", timeout=300)
        run.wait_for_output(" ready.", timeout=60)
        run.wait_for_output("beat: Starting...", timeout=60)
        wait_until(lambda: _readyz(port).get("status") == "ok", timeout=60, message="/readyz ok")
        yield env, tmp_path, run, port
    finally:
        run.stop(timeout=2)
        print(run.output()[-8000:])  # shown by pytest when the test failed


def test_make_run_delivers_emails_to_the_mail_folder_through_the_separate_worker(embedded):
    env, tmp, run, port = embedded
    assert _readyz(port)["checks"]["broker"] == "ok"

    # Bob's delivery message is lost on the way (published into a folder no worker reads), as when a worker
    # is killed holding it: beat's outbox sweeper has to recover it.
    _send_test_emails(
        ("ann@example.com", env), ("bob@example.com", {**env, "CELERY_BROKER_DIR": str(tmp / "nowhere")})
    )
    addresses = ("ann@example.com", "bob@example.com")

    def delivered():  # a file may be seen before its writer finished it
        mails = _mails(tmp / "mail")
        return all(any(f"To: {a}" in m for m in mails) for a in addresses) and mails

    mails = wait_until(delivered, timeout=90, message="both emails in the mail folder")
    assert len(mails) == 2
    assert all("Subject: KinWise test email" in mail for mail in mails)

    def senders():  # the process prefix honcho puts on each "deliver_email ... succeeded: 'sent'" log line
        lines = [line for line in run.output().splitlines() if "deliver_email" in line and "'sent'" in line]
        return [line.split("|")[0].split()[-1] for line in lines]

    wait_until(lambda: len(senders()) == 2, message="two deliveries logged")
    assert senders() == ["worker.1", "worker.1"]
    assert "Outbox sweep re-enqueued" in run.output()


def test_ctrl_c_stops_make_run_cleanly(embedded):
    """Ctrl-C reaches make and honcho: every process gets SIGTERM and the time to finish (the worker's warm
    shutdown takes several seconds), each exits on its own with status 0 (none is SIGKILLed), and honcho's run
    exits 0, so make reports no "Error 143" (make itself then ends by the SIGINT it received, as an
    interrupted program should)."""
    _env, _tmp, run, _port = embedded
    # Ctrl-C on a settled service: beat is up and the worker has run tasks and finished them (an idle pool
    # process then waits for the next task holding the pool's queue lock: see scripts/procfile.py).
    wait_until(lambda: _settled(run.output()), timeout=60, message="beat started and the worker idle")
    os.killpg(run.popen.pid, signal.SIGINT)
    run.popen.wait(timeout=60)
    output = run.output()
    assert run.popen.returncode in (0, -signal.SIGINT), output[-4000:]
    assert "SIGKILL" not in output, output[-4000:]
    assert "make: ***" not in output
    assert "Error 1" not in output
    for process in ("web.1", "worker.1", "beat.1"):
        assert f"sending SIGTERM to {process}" in output
        assert f"{process} stopped (rc=0)" in output, output[-4000:]
    # SIGTERM went to each program, not to its children: the worker stopped its pool processes itself (one
    # killed by a signal could die holding the pool's queue lock, and the worker then hung at exit).
    assert "exited with 'signal" not in output, output[-4000:]


def _settled(output: str) -> bool:
    lines = [line for line in output.splitlines() if "worker.1" in line]
    received = sum("] received" in line for line in lines)
    finished = sum(("] succeeded in" in line) or ("] raised" in line) for line in lines)
    return "beat: Starting..." in output and received == finished
