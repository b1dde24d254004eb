"""The benchmark's own parts, run for about a second against the live test server, so they cannot rot.

`make bench` itself is not run by the test suite (minutes long, and noisy on a shared machine): see
docs/PERFORMANCE.md.
"""

import pytest
from django.conf import settings as django_settings

from bench.limits import raised_rate_limits
from bench.mailbox import LOGIN_CODE_RE, Mailbox
from bench.measure import run_load
from bench.report import render
from bench.services import start_smtp_sink
from bench.urls import CEILING_PATH

OTP_REQUEST = "/api/v1/auth/otp/request/"
OTP_VERIFY = "/api/v1/auth/otp/verify/"


@pytest.fixture
def bench_server(live_server, settings):
    """The live server with the benchmark's URLconf (the ceiling endpoint) and its raised rate limits."""
    settings.ROOT_URLCONF = "bench.urls"
    settings.RATE_LIMITS = raised_rate_limits(django_settings.RATE_LIMITS)
    return live_server


def test_load_generator_measures_the_ceiling_and_an_endpoint_from_its_own_process(bench_server):
    ceiling = run_load(
        url=bench_server.url + CEILING_PATH, bodies=None, concurrency=2, duration=1.0, warmup=0.2
    )
    bodies = [{"email": f"nobody-{n}@bench.example"} for n in range(5000)]
    otp = run_load(url=bench_server.url + OTP_REQUEST, bodies=bodies, concurrency=2, duration=1.0, warmup=0)

    for figures in (ceiling, otp):
        assert figures["requests"] > 0
        assert figures["errors"] == 0, figures
        assert set(figures["status"]) == {"200"}
        assert 0 < figures["p50_ms"] <= figures["p99_ms"] <= figures["max_ms"]
        assert figures["rps"] > 0
    assert otp["consumed"] == otp["requests"] < len(bodies)  # each body once, none left over as sent

    results = {
        "started_at": "now",
        "total_seconds": 2.0,
        "machine": {
            "nproc": 2,
            "cpu_model": "test",
            "memory_mb": 1,
            "loadavg_start": "0",
            "loadavg_end": "0",
        },
        "config": {
            "web": "live server",
            "gunicorn_workers": 1,
            "worker": "eager",
            "duration": 1,
            "warmup": 0,
        },
        "http": {
            "ceiling": {"2": {**ceiling, "web_cpu_ms": 0.0, "db_cpu_ms": 0.0}},
            "otp_request": {"2": {**otp, "web_cpu_ms": 0.0, "db_cpu_ms": 0.0, "ratio": 0.5}},
        },
    }
    table = render(results)
    assert "ceiling" in table
    assert "otp_request" in table
    assert "50%" in table


def test_load_generator_stops_when_its_bodies_run_out(bench_server):
    bodies = [{"email": f"few-{n}@bench.example"} for n in range(3)]
    figures = run_load(url=bench_server.url + OTP_REQUEST, bodies=bodies, concurrency=2, duration=5, warmup=0)
    assert figures["exhausted"] is True
    assert figures["requests"] == 3


def test_codes_for_otp_verify_come_from_the_smtp_sink(bench_server, settings, user, tmp_path):
    """The benchmark's SMTP sink runs as its own process; a code read back from it logs in once."""
    mail_dir = tmp_path / "mail"
    sink, port = start_smtp_sink(mail_dir, env={"PATH": "/usr/bin:/bin"}, log_dir=tmp_path)
    try:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", port, False
        run_load(
            url=bench_server.url + OTP_REQUEST,
            bodies=[{"email": user.email}],
            concurrency=1,
            duration=5,
            warmup=0,
        )
        code = Mailbox(mail_dir).latest_code(user.email, LOGIN_CODE_RE, timeout=10)
        body = [{"email": user.email, "code": code}]
        first = run_load(url=bench_server.url + OTP_VERIFY, bodies=body, concurrency=1, duration=5, warmup=0)
        again = run_load(url=bench_server.url + OTP_VERIFY, bodies=body, concurrency=1, duration=5, warmup=0)
    finally:
        sink.stop()
    assert first["status"] == {"200": 1}
    assert again["status"] == {"400": 1}
    assert again["errors"] == 1


def test_discovery_timing_measures_both_kinds_of_address_for_each_request(bench_server):
    from bench.discovery import measure

    figures = measure(base_url=bench_server.url, headers={}, rounds=2, warmup=1)
    assert set(figures) == {"otp_request", "password_reset", "resend_verification"}
    for name in figures.values():
        assert name["rounds"] == 2
        assert name["existing_ms"] > 0
        assert name["unknown_ms"] > 0
    results = {
        "started_at": "now",
        "total_seconds": 1.0,
        "machine": {"nproc": 2, "cpu_model": "t", "memory_mb": 1, "loadavg_start": "0", "loadavg_end": "0"},
        "config": {"web": "live", "gunicorn_workers": 1, "worker": "eager", "duration": 1, "warmup": 0},
        "http": {},
        "discovery": figures,
    }
    assert "existing vs unknown address" in render(results)
