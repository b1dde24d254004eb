"""Every queue a task can be routed to is consumed by the worker we run (Procfile, README, bare worker)."""

import re
import shlex

import pytest
from django.conf import settings

from config.celery import app
from tests.support import ROOT, celery_broker_at, procfile


def routed_queues() -> set[str]:
    return {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()} | {
        settings.CELERY_TASK_DEFAULT_QUEUE
    }


def consumed_queues(command: str) -> set[str]:
    """The queues a `celery -A config worker ...` command line consumes."""
    argv = shlex.split(command)
    assert argv[:4] == ["celery", "-A", "config", "worker"], command
    for i, arg in enumerate(argv):
        if arg in ("-Q", "--queues"):
            return set(argv[i + 1].split(","))
        if arg.startswith(("--queues=", "-Q=")):
            return set(arg.split("=", 1)[1].split(","))
    # No -Q: the worker consumes every queue declared in settings (task_queues).
    return {queue.name for queue in settings.CELERY_TASK_QUEUES}


def test_procfile_runs_web_worker_and_beat_after_migrating():
    entries = procfile()
    assert {"web", "worker", "beat"} <= set(entries)
    assert "django_celery_beat.schedulers:DatabaseScheduler" in entries["beat"]
    assert "manage.py migrate" in entries["release"]  # installs the beat schedule too


def test_procfile_worker_consumes_every_routed_queue():
    assert routed_queues() <= consumed_queues(procfile()["worker"])


def test_a_bare_worker_consumes_every_routed_queue_too():
    assert routed_queues() <= consumed_queues("celery -A config worker")


def documented_worker_commands() -> dict[str, list[str]]:
    """Worker command lines in the README, the docs and any compose/deployment file, by file."""
    files = [
        ROOT / "README.md",
        *ROOT.glob("docs/*.md"),
        *ROOT.glob("*compose*.y*ml"),
        *ROOT.glob("deploy/**/*"),
    ]
    found = {}
    for path in files:
        if path.is_file():
            text = path.read_text(errors="replace")
            commands = re.findall(
                r"(?:^\s*|`|command:\s*)(celery -A config worker\b[^\n`|\"']*)", text, re.MULTILINE
            )
            if commands:
                found[str(path.relative_to(ROOT))] = commands
    return found


def test_the_worker_commands_each_file_documents_consume_every_routed_queue_between_them():
    """A file may split the queues over several workers (docs/DEPLOY.md does), but none may go unconsumed."""
    documented = documented_worker_commands()
    assert {"README.md", "docs/TASKS.md"} <= set(documented)
    for doc, commands in documented.items():
        consumed = set().union(*(consumed_queues(command.rstrip("\\ ")) for command in commands))
        assert routed_queues() <= consumed, f"{doc}: {commands}"


def test_routes_resolve_to_consumed_queues_for_every_scheduled_and_known_task():
    consumed = consumed_queues(procfile()["worker"])
    names = [
        "apps.users.tasks.anything",
        "apps.notifications.tasks.anything",
        "apps.bills.tasks.send_bill_reminders",
        "apps.goals.tasks.check_goal_milestones",
        "apps.emails.tasks.deliver_email",
        "apps.reports.tasks.anything",
        "apps.ops.tasks.flush_expired_tokens",
    ]
    for name in names:
        route = app.amqp.router.route({}, name)
        assert route["queue"].name in consumed, name


@pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored")
def test_the_embedded_file_broker_puts_each_routed_task_in_its_own_queue(tmp_path):
    """Routing on kombu's filesystem transport: one message file per task, named after the target queue."""
    folders = {name: tmp_path / name for name in ("queue", "control", "processed")}
    for folder in folders.values():
        folder.mkdir()
    options = {
        "data_folder_in": str(folders["queue"]),
        "data_folder_out": str(folders["queue"]),
        "control_folder": str(folders["control"]),
        "processed_folder": str(folders["processed"]),
    }
    with celery_broker_at("filesystem://localhost/", options):
        app.send_task("apps.emails.tasks.deliver_email", args=[0])
        app.send_task("apps.bills.tasks.send_bill_reminders")
        app.send_task("apps.ops.tasks.flush_expired_tokens")
    queues = sorted(path.name.split(".", 1)[1] for path in folders["queue"].iterdir())
    assert queues == ["bills.msg", "celery.msg", "emails.msg"]
