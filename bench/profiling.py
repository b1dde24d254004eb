"""Profile chosen endpoints inside the gunicorn workers while the benchmark loads them (`--profile`).

Only the benchmark settings install this middleware, and only when BENCH_PROFILE_DIR is set. Each worker
process sums the pyinstrument sessions of the requests it served per endpoint and saves the sum every
SAVE_EVERY requests; `combine()` adds up every worker's file into one report per endpoint.
"""

import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pyinstrument.session import Session

SAVE_EVERY = 25
# Each worker's first requests to a path pay one-time costs (lazy imports such as redis's, first
# connections); they are served but not profiled.
SKIP_FIRST = 20


def _slug(path: str) -> str:
    return path.strip("/").replace("/", "_") or "root"


class ProfileMiddleware:
    def __init__(self, get_response):
        from django.conf import settings

        self.get_response = get_response
        self.directory = Path(os.environ["BENCH_PROFILE_DIR"])
        self.paths = set(settings.BENCH_PROFILE_PATHS)  # type: ignore[misc]  # config.settings.bench only
        self.sessions: dict[str, Session] = {}
        self.counts: dict[str, int] = {}
        self.seen: dict[str, int] = {}
        self.lock = threading.Lock()

    def __call__(self, request):
        if request.path not in self.paths:
            return self.get_response(request)
        with self.lock:
            self.seen[request.path] = seen = self.seen.get(request.path, 0) + 1
        if seen <= SKIP_FIRST:
            return self.get_response(request)
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0002, async_mode="disabled")
        profiler.start()
        try:
            return self.get_response(request)
        finally:
            session = profiler.stop()
            self._add(request.path, session)

    def _add(self, path: str, session) -> None:
        from pyinstrument.session import Session

        with self.lock:
            total = self.sessions.get(path)
            self.sessions[path] = session if total is None else Session.combine(total, session)
            self.counts[path] = self.counts.get(path, 0) + 1
            if self.counts[path] % SAVE_EVERY == 0:
                self.sessions[path].save(self.directory / f"{_slug(path)}.{os.getpid()}.pyisession")


def combine(directory: Path, path: str) -> str:
    """Every worker's saved session for `path`, summed, as pyinstrument's text report."""
    from pyinstrument.renderers import ConsoleRenderer
    from pyinstrument.session import Session

    total = None
    for file in sorted(directory.glob(f"{_slug(path)}.*.pyisession")):
        session = Session.load(str(file))
        total = session if total is None else Session.combine(total, session)
    if total is None:
        return f"no profile recorded for {path}"
    return ConsoleRenderer(unicode=False, color=False, time="percent_of_total").render(total)
