"""A small closed-loop HTTP load generator, meant to run in its own process.

`concurrency` threads each keep one HTTP/1.1 connection (http.client reconnects by itself when the server
closes it, as gunicorn's sync workers do after every response) and send requests back to back. Request bodies
come from a JSON-lines file: each line is used once, in order, unless `cycle` is set; when the lines run out
the run ends early and says so. Every request carries `X-Forwarded-For` with an address of its own (the
service trusts one proxy hop in the benchmark, as behind a load balancer), so per-address rate-limit state
stays as small as it is with real clients.

Requests that start during the warm-up are sent but not counted. Prints one JSON object:
`{"requests", "errors", "status", "elapsed", "rps", "p50_ms", "p90_ms", "p99_ms", "max_ms", "consumed",
"exhausted", "loadgen_cpu_ms"}`.

    python -m bench.loadgen --url http://127.0.0.1:8000/api/v1/auth/otp/request/ --bodies otp.jsonl \
        --concurrency 16 --duration 5 --warmup 1
"""

import argparse
import http.client
import itertools
import json
import math
import resource
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit


class BodySource:
    """Hands out request bodies to the threads, each line once (or round and round with `cycle`)."""

    def __init__(self, lines: list[bytes], cycle: bool):
        self._iter = itertools.cycle(lines) if cycle else iter(lines)
        self._lock = threading.Lock()
        self._seq = itertools.count()
        self.consumed = 0
        self.exhausted = False

    def next(self) -> tuple[int, bytes] | None:
        with self._lock:
            try:
                body = next(self._iter)
            except StopIteration:
                self.exhausted = True
                return None
            self.consumed += 1
            return next(self._seq), body


def _client_ip(seq: int) -> str:
    return f"10.{(seq >> 16) & 255}.{(seq >> 8) & 255}.{seq & 255 or 1}"


def run(
    *,
    url: str,
    lines: list[bytes],
    concurrency: int,
    duration: float,
    warmup: float = 0.0,
    cycle: bool = False,
    method: str = "POST",
    headers: dict | None = None,
    timeout: float = 30.0,
) -> dict:
    parts = urlsplit(url)
    host, port, path = parts.hostname or "127.0.0.1", parts.port or 80, parts.path or "/"
    base_headers = {"Content-Type": "application/json", "Accept": "application/json", **(headers or {})}
    source = BodySource(lines, cycle)
    cpu_start = resource.getrusage(resource.RUSAGE_SELF)
    start = time.perf_counter()
    measure_from = start + warmup
    deadline = measure_from + duration
    results: list[list[tuple[float, float, int]]] = [[] for _ in range(concurrency)]
    errors: Counter[str] = Counter()

    def worker(slot: int) -> None:
        conn = http.client.HTTPConnection(host, port, timeout=timeout)
        out = results[slot]
        while time.perf_counter() < deadline:
            item = source.next()
            if item is None:
                break
            seq, body = item
            sent = time.perf_counter()
            try:
                conn.request(
                    method,
                    path,
                    body=body if method != "GET" else None,
                    headers={**base_headers, "X-Forwarded-For": _client_ip(seq)},
                )
                response = conn.getresponse()
                response.read()
                status = response.status
                if response.will_close:
                    conn.close()
            except (OSError, http.client.HTTPException) as exc:
                errors[type(exc).__name__] += 1
                conn.close()
                status = 0
            done = time.perf_counter()
            if sent >= measure_from:
                out.append((sent, done, status))
        conn.close()

    threads = [threading.Thread(target=worker, args=(slot,), daemon=True) for slot in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu = usage.ru_utime + usage.ru_stime - cpu_start.ru_utime - cpu_start.ru_stime
    return summarize(
        [sample for slot in results for sample in slot],
        measure_from=measure_from,
        errors=errors,
        consumed=source.consumed,
        exhausted=source.exhausted,
        cpu_seconds=cpu,
    )


def percentile(sorted_values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of an already sorted list."""
    if not sorted_values:
        return 0.0
    rank = max(1, min(len(sorted_values), math.ceil(fraction * len(sorted_values))))
    return sorted_values[rank - 1]


def summarize(
    samples, *, measure_from: float, errors: Counter, consumed: int, exhausted: bool, cpu_seconds: float = 0.0
) -> dict:
    latencies = sorted((done - sent) * 1000 for sent, done, _ in samples)
    statuses = Counter(str(status) for _, _, status in samples)
    elapsed = (max(done for _, done, _ in samples) - measure_from) if samples else 0.0
    return {
        "requests": len(samples),
        "errors": sum(errors.values()) + sum(n for s, n in statuses.items() if not s.startswith("2")),
        "error_kinds": dict(errors),
        "status": dict(statuses),
        "elapsed": round(elapsed, 3),
        "rps": round(len(samples) / elapsed, 1) if elapsed > 0 else 0.0,
        "p50_ms": round(percentile(latencies, 0.50), 2),
        "p90_ms": round(percentile(latencies, 0.90), 2),
        "p99_ms": round(percentile(latencies, 0.99), 2),
        "max_ms": round(latencies[-1], 2) if latencies else 0.0,
        "consumed": consumed,
        "exhausted": exhausted,
        # this generator's own CPU per request sent: it runs on the same cores as the service
        "loadgen_cpu_ms": round(cpu_seconds * 1000 / consumed, 3) if consumed else 0.0,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--bodies", help="JSON-lines file, one request body a line (default: one {} body)")
    parser.add_argument("--method", default="POST")
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--duration", type=float, default=5.0)
    parser.add_argument("--warmup", type=float, default=0.0)
    parser.add_argument("--cycle", action="store_true", help="reuse the bodies round and round")
    parser.add_argument("--header", action="append", default=[], help="extra header, 'Name: value'")
    args = parser.parse_args(argv)
    if args.bodies:
        with Path(args.bodies).open("rb") as handle:
            lines = [line.rstrip(b"\n") for line in handle if line.strip()]
    else:
        lines, args.cycle = [b"{}"], True
    headers = dict(h.split(":", 1) for h in args.header)
    result = run(
        url=args.url,
        lines=lines,
        concurrency=args.concurrency,
        duration=args.duration,
        warmup=args.warmup,
        cycle=args.cycle,
        method=args.method,
        headers={k.strip(): v.strip() for k, v in headers.items()},
    )
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
