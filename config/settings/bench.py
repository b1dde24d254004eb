"""`make bench` only: production settings, a do-nothing endpoint (the ceiling), out-of-reach rate limits.

The throttles still run (same classes, same Redis round trips); only their numbers change, so the benchmark
measures the production code path without being answered 429. Never serve real traffic with this module.
"""

from bench.limits import raised_rate_limits

from .production import *  # noqa: F403
from .production import RATE_LIMITS, env

ROOT_URLCONF = "bench.urls"
RATE_LIMITS = raised_rate_limits(RATE_LIMITS)

# `python -m bench.run --profile`: pyinstrument around these paths in each web worker (bench/profiling.py)
if env("BENCH_PROFILE_DIR", default=""):
    MIDDLEWARE = ["bench.profiling.ProfileMiddleware", *MIDDLEWARE]  # noqa: F405
    BENCH_PROFILE_PATHS = env.list(
        "BENCH_PROFILE_PATHS", default=["/api/v1/auth/otp/request/", "/api/v1/auth/otp/verify/"]
    )
