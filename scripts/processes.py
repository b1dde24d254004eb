"""Starting and stopping KinWise's processes from Python: the one copy that the tests (tests/support.py), the
benchmark (bench/services.py) and the smoke test (scripts/smoke.py) use.

Standard library only, so scripts/smoke.py can import it before anything else is set up.
"""

import contextlib
import http.client
import os
import shlex
import signal
import socket
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def can_connect(host: str, port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def procfile(path: Path = ROOT / "Procfile") -> dict[str, str]:
    """The Procfile's processes: name -> command line (comments and blank lines skipped)."""
    entries = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, command = line.split(":", 1)
            entries[name.strip()] = command.strip()
    return entries


def wait_until(predicate, timeout: float = 20.0, interval: float = 0.05, message: str = "condition"):
    """Poll `predicate` until it returns something truthy, and return that; TimeoutError after `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout:.0f}s waiting for {message}")


def http_ok(port: int, path: str = "/healthz", headers: dict | None = None, timeout: float = 2.0) -> bool:
    """Whether a server on 127.0.0.1:`port` answers `path` with 200 right now."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path, headers=headers or {})
        return connection.getresponse().status == 200
    except (OSError, http.client.HTTPException):
        return False
    finally:
        connection.close()


def wait_for_health(port: int, *, timeout: float = 60, process: "Process | None" = None, **http) -> None:
    """Until a server on 127.0.0.1:`port` answers /healthz (or `path`) with 200. With `process`, fail at once
    if that process exits instead."""

    def healthy() -> bool:
        if process is not None:
            process.check()
        return http_ok(port, **http)

    wait_until(healthy, timeout=timeout, interval=0.1, message=f"the server on port {port}")


def wait_for_port(port: int, *, timeout: float = 15, process: "Process | None" = None) -> None:
    """Until something listens on 127.0.0.1:`port`; with `process`, fail at once if that process exits."""

    def listening() -> bool:
        if process is not None:
            process.check()
        return can_connect("127.0.0.1", port)

    wait_until(listening, timeout=timeout, interval=0.1, message=f"a server on port {port}")


class ProcessExited(RuntimeError):
    pass


class Process:
    """A command run in its own session (process group), its output in a log file (stderr in `errors`, if
    given, else with stdout); stop() ends the group and everything below it."""

    def __init__(
        self,
        command: str | list[str],
        *,
        env: dict[str, str],
        log: Path,
        errors: Path | None = None,
        cwd: Path = ROOT,
        name: str = "",
    ):
        self.name = name or log.stem
        self.log = log
        self.stopped = False
        self._files = [log.open("wb")] + ([errors.open("wb")] if errors else [])
        argv = shlex.split(command) if isinstance(command, str) else command
        self.popen = subprocess.Popen(
            argv,
            cwd=cwd,
            env=env,
            stdout=self._files[0],
            stderr=self._files[1] if errors else subprocess.STDOUT,
            start_new_session=True,
        )

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def check(self) -> None:
        """Raise ProcessExited (with the end of its log) if it died without being stopped."""
        if not self.stopped and not self.alive():
            raise ProcessExited(f"{self.name} exited with {self.popen.returncode}:\n{self.output()[-4000:]}")

    def wait_for_output(self, text: str, timeout: float = 30.0) -> None:
        def printed_or_exited() -> bool:
            return text in self.output() or not self.alive()

        wait_until(printed_or_exited, timeout=timeout, message=f"{text!r} in {self.log}")
        if text not in self.output():
            self.check()
            raise AssertionError(f"{self.name} ended without printing {text!r} (log: {self.log})")

    def kill(self) -> None:
        """SIGKILL the process group and every descendant (honcho puts each child in a group of its own)."""
        self.stopped = True
        tree = descendants(self.popen.pid)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.popen.pid, signal.SIGKILL)
        for pid in tree + descendants(self.popen.pid):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        self.popen.wait(timeout=10)
        for file in self._files:
            file.close()

    def terminate(self) -> None:
        """SIGTERM the group (what Ctrl-C does to `make run`) without waiting: to stop several at once."""
        self.stopped = True
        if self.alive():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGTERM)

    def stop(self, timeout: float = 15.0) -> bool:
        """SIGTERM the group, wait up to `timeout`, then SIGKILL whatever is still running, children the
        leader had when it was stopped included. True if the leader had ended by itself."""
        tree = descendants(self.popen.pid)
        self.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(timeout=timeout)
        ended = not self.alive()
        self.kill()
        for pid in tree:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        return ended


def descendants(pid: int) -> list[int]:
    """Every process below `pid` in the process tree (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for path in Path("/proc").iterdir():
        entry = path.name
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(parent, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found
