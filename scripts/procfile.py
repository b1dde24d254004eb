"""`honcho start` for `make run` / `make worker` / `make beat`, stopping cleanly on Ctrl-C.

Three differences from plain honcho:

- On Ctrl-C or SIGTERM each process's own program gets SIGTERM, not its whole process group. Honcho runs a
  Procfile line as `sh -c LINE` in a new process group and signals the group, so a program's children were
  signalled next to it: gunicorn's workers, and the Celery worker's pool processes. On the embedded file
  broker Celery uses billiard's threaded pool, whose processes share one task pipe guarded by a lock that an
  idle pool process holds while it waits for its next task; SIGTERM killed that process holding the lock, and
  the worker's exit handler (billiard's Pool._terminate_pool) then waited on the lock for ever, until honcho
  SIGKILLed the worker — most stops of a worker that had run a task. Here each line runs as `exec LINE`, so
  the process honcho knows is the program itself, and SIGTERM goes to it alone: gunicorn stops its workers,
  Celery's warm shutdown stops its pool, as they do under a supervisor that signals the main process only.
- It waits up to STOP_SECONDS (not honcho's 5) for the processes to finish after SIGTERM before it SIGKILLs
  them (their whole groups, so nothing outlives honcho): gunicorn drains requests, a worker finishes its task.
- A stop asked for by Ctrl-C or SIGTERM exits 0 instead of 130/143 (make's "Error 143"). Anything else, such
  as a process that crashed, keeps its non-zero status.
"""

import contextlib
import os
import signal
import sys

import honcho.command
import honcho.compat
import honcho.manager
from honcho.command import main

STOP_SECONDS = 20
STOPPED_ON_REQUEST = {honcho.manager.SIGNALS[s]["rc"] for s in (signal.SIGINT, signal.SIGTERM)}


class ProcessManager(honcho.compat.ProcessManager):
    def terminate(self, pid: int) -> None:
        """SIGTERM to the program alone: it stops its own children (honcho's kill() still SIGKILLs the
        group)."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGTERM)


class Manager(honcho.manager.Manager):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._procmgr = ProcessManager()

    def add_process(self, name, cmd, **kwargs):
        # `exec`: the shell honcho starts becomes the program, so the pid honcho signals is the program's.
        return super().add_process(name, f"exec {cmd}", **kwargs)


if __name__ == "__main__":
    honcho.manager.KILL_WAIT = STOP_SECONDS
    honcho.command.Manager = Manager
    try:
        main(["start", *sys.argv[1:]])
    except SystemExit as exited:
        sys.exit(0 if exited.code in STOPPED_ON_REQUEST else exited.code)
