"""Run the load generator in its own process against one endpoint and return its figures."""

import json
import subprocess
import sys
import tempfile
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def run_load(
    *,
    url: str,
    bodies: list[dict] | None,
    concurrency: int,
    duration: float,
    warmup: float,
    cycle: bool = False,
    headers: dict | None = None,
) -> dict:
    """`bodies` None: one empty JSON object, round and round. Otherwise each body once, unless `cycle`."""
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as handle:
        for body in bodies if bodies is not None else [{}]:
            handle.write(json.dumps(body, separators=(",", ":")) + "\n")
        bodies_path = handle.name
    argv = [
        sys.executable,
        "-m",
        "bench.loadgen",
        "--url",
        url,
        "--bodies",
        bodies_path,
        "--concurrency",
        str(concurrency),
        "--duration",
        str(duration),
        "--warmup",
        str(warmup),
    ]
    if cycle or bodies is None:
        argv.append("--cycle")
    for name, value in (headers or {}).items():
        argv += ["--header", f"{name}: {value}"]
    try:
        completed = subprocess.run(
            argv, cwd=BASE_DIR, capture_output=True, text=True, check=True, timeout=duration + warmup + 120
        )
    finally:
        Path(bodies_path).unlink(missing_ok=True)
    return json.loads(completed.stdout)
