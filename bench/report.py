"""The one table `make bench` prints (the JSON under bench/results/ holds the same figures and more)."""


def _row(cells, widths):
    return "  ".join(
        str(cell).rjust(width) if i else str(cell).ljust(width)
        for i, (cell, width) in enumerate(zip(cells, widths, strict=True))
    )


def http_table(http: dict) -> list[str]:
    header = ["endpoint", "conc", "requests", "req/s", "p50 ms", "p99 ms", "errors", "of ceiling"]
    header.append("CPU ms/req: web + db + worker")
    widths = [14, 4, 8, 8, 7, 7, 6, 10, 28]
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
                        f"{figures['web_cpu_ms']:.1f} + {figures['db_cpu_ms']:.1f}"
                        f" + {figures.get('worker_cpu_ms', 0.0):.1f}",
                    ],
                    widths,
                )
                + flag
            )
    return lines


def render(results: dict) -> str:
    machine, config = results["machine"], results["config"]
    lines = [
        f"KinWise benchmark {results['started_at']}  ({results['total_seconds']:.0f} s)",
        f"machine: {machine['nproc']} CPU {machine['cpu_model']}, {machine['memory_mb']} MB; load average "
        f"{machine['loadavg_start']} at start, {machine['loadavg_end']} at end",
        f"Postgres: one INSERT + COMMIT (WAL flush) takes {machine.get('commit_ms', '?')} ms (median)",
        f"web: {config['web']} ({config['gunicorn_workers']} sync workers); worker: {config['worker']}",
        f"load: {config['duration']:.0f} s per point after {config['warmup']:.0f} s warm-up, from a separate"
        " process over loopback",
        "",
        *http_table(results["http"]),
        "",
    ]
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
    return "\n".join(lines)
