"""The one table `make bench` prints (the JSON under bench/results/ holds the same figures and more)."""


def _row(cells, widths):
    return "  ".join(
        str(cell).rjust(width) if i else str(cell).ljust(width)
        for i, (cell, width) in enumerate(zip(cells, widths, strict=True))
    )


def http_table(http: dict) -> list[str]:
    header = ["endpoint", "conc", "requests", "req/s", "p50 ms", "p99 ms", "errors", "of ceiling"]
    header += ["CPU ms/req: web + db + worker", "new db conn/req"]
    widths = [14, 4, 8, 8, 7, 7, 6, 10, 28, 15]
    lines = [_row(header, widths), _row(["-" * w for w in widths], widths)]
    for endpoint, levels in http.items():
        for concurrency, figures in levels.items():
            ratio = figures.get("ratio")
            flag = " (ran out of codes)" if figures.get("exhausted") else ""
            lines.append(
                _row(
                    [
                        endpoint,
                        concurrency,
                        figures["requests"],
                        f"{figures['rps']:.0f}",
                        f"{figures['p50_ms']:.1f}",
                        f"{figures['p99_ms']:.1f}",
                        figures["errors"],
                        "—" if ratio is None else f"{ratio:.0%}",
                        (
                            f"{figures['web_cpu_ms']:.1f} + {figures['db_cpu_ms']:.1f}"
                            f" + {figures.get('worker_cpu_ms', 0.0):.1f}"
                        ),
                        _connections(figures),
                    ],
                    widths,
                )
                + flag
            )
    return lines


def _connections(figures: dict) -> str:
    per = figures.get("db_new_connections_per_item")
    return "?" if per is None else f"{per:.2f}"


def _cpu_total(figures: dict) -> float:
    return figures["web_cpu_ms"] + figures["db_cpu_ms"] + figures.get("worker_cpu_ms", 0.0)


def login_by_code(http: dict) -> str | None:
    """The whole login by emailed code at concurrency 1: the request, its email's delivery (worker and its
    queries, counted in the request's point) and the verify, in CPU ms."""
    request, verify = http.get("otp_request", {}).get("1"), http.get("otp_verify", {}).get("1")
    if not (request and verify):
        return None
    return (
        f"whole login by emailed code, c=1: {_cpu_total(request) + _cpu_total(verify):.1f} CPU ms "
        f"(request + delivery {_cpu_total(request):.1f}, verify {_cpu_total(verify):.1f}); "
        f"Postgres short-lived backends in it (estimated): "
        f"{request.get('db_short_lived_cpu_ms', 0) + verify.get('db_short_lived_cpu_ms', 0):.1f} ms"
    )


def render(results: dict) -> str:
    machine, config = results["machine"], results["config"]
    lines = [
        f"KinWise benchmark {results['started_at']}  ({results['total_seconds']:.0f} s)",
        (
            f"machine: {machine['nproc']} CPU {machine['cpu_model']}, {machine['memory_mb']} MB; "
            f"load average {machine['loadavg_start']} at start, {machine['loadavg_end']} at end"
        ),
        f"Postgres: one INSERT + COMMIT (WAL flush) takes {machine.get('commit_ms', '?')} ms (median)",
        f"web: {config['web']} ({config['gunicorn_workers']} sync workers); worker: {config['worker']}",
        (
            f"load: {config['duration']:.0f} s per point after {config['warmup']:.0f} s warm-up, "
            "from a separate process over loopback"
        ),
        "",
        *http_table(results["http"]),
        "",
    ]
    whole = login_by_code(results["http"])
    if whole:
        lines.append(whole)
    argon = results.get("argon2")
    if argon:
        lines.append(
            f"Argon2 ({argon['variant']}, time_cost={argon['time_cost']}, "
            f"memory_cost={argon['memory_cost']} KiB, parallelism={argon['parallelism']}): "
            f"{argon['hash_ms']:.0f} ms per hash in one process"
        )
        for endpoint in ("register", "login"):
            c1 = results["http"].get(endpoint, {}).get("1")
            if c1:
                lines.append(f"  {endpoint}: {c1['p50_ms']:.0f} ms per request at concurrency 1 (p50)")
    queries = results.get("queries")
    if queries:
        lines.append("queries per request: " + ", ".join(f"{k} {v}" for k, v in queries.items()))
    discovery = results.get("discovery")
    if discovery:
        rounds = next(iter(discovery.values()))["rounds"]
        lines.append(
            f"existing vs unknown address, median of {rounds} interleaved requests each, one client address "
            "per request: "
            + ", ".join(
                f"{k} {v['existing_ms']:.1f} vs {v['unknown_ms']:.1f} ms" for k, v in discovery.items()
            )
        )
    pipeline = results.get("email_pipeline")
    if pipeline:
        lines.append(
            f"email pipeline: {pipeline['emails']} emails via the outbox, enqueued in "
            f"{pipeline['enqueue_s']:.1f} s, all in the SMTP sink after {pipeline['total_s']:.1f} s: "
            f"{pipeline['emails_per_s']:.0f} emails/s "
            f"(one worker: {pipeline['worker_concurrency']})"
        )
        if "worker_cpu_ms" in pipeline:
            lines.append(
                f"  per email: worker {pipeline['worker_cpu_ms']:.2f} CPU ms, "
                f"Postgres {pipeline['db_cpu_ms']:.2f} CPU ms, "
                f"{pipeline['db_new_connections_per_item']:.2f} new db connections "
                f"(load average {pipeline['loadavg']})"
            )
    reminders = results.get("reminders") or {}
    if reminders.get("status") != "ok":
        lines.append(f"bill reminders: {reminders.get('status', 'not run')}")
    else:
        for size, figures in reminders["runs"].items():
            lines.append(
                f"bill reminders over {int(size):,} due bills: {figures['items_per_s']:.0f} reminders/s "
                f"({figures['seconds']:.1f} s, {figures['chunks']} chunks, one process), peak Python memory "
                f"{figures['peak_memory_mb']:.1f} MB (tracemalloc), process max RSS "
                f"{figures['process_max_rss_mb']:.0f} MB"
            )
            if "python_cpu_ms" in figures:
                db = figures["db_cpu_ms"]
                lines.append(
                    f"  per reminder: job {figures['python_cpu_ms']:.3f} CPU ms, Postgres "
                    + ("?" if db is None else f"{db:.3f}")
                    + f" CPU ms (load average {figures['loadavg']} at end)"
                )
    return "\n".join(lines)
