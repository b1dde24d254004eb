"""Do the requests that name an address take as long for an account as for an unknown address?

For OTP request, password reset and resend verification: `rounds` requests for addresses with an account
(verified ones; unverified ones for resend, the only accounts it emails) and `rounds` for unknown addresses,
interleaved (account, unknown, unknown, account, ...: the order flips every pair) and sent one at a time, each
address once and each request from a client address of its own (X-Forwarded-For through the benchmark's one
trusted proxy hop). After each request the outbox is drained, so every request meets an idle worker (one
that is still sending the previous request's email would slow down whichever request comes next). Reports the
median wall-clock time from connecting to the end of the answer, as a client sees it, and the quartiles
(docs/SECURITY.md, "Discovery-safe requests").
Import after django.setup().
"""

import http.client
import json
import statistics
import time
from typing import Any
from urllib.parse import urlsplit

from bench import data

ENDPOINTS = {
    "otp_request": ("/api/v1/auth/otp/request/", True),
    "password_reset": ("/api/v1/auth/password/reset/", True),
    "resend_verification": ("/api/v1/auth/resend-verification/", False),
}


class Client:
    def __init__(self, base_url: str, headers: dict):
        parts = urlsplit(base_url)
        self.host, self.port, self.headers = parts.hostname or "127.0.0.1", parts.port, headers
        self.sent = 0

    def post(self, path: str, email: str) -> float:
        """One request on a new connection (gunicorn's sync workers close it after each answer); its ms."""
        self.sent += 1
        n = self.sent
        headers = {
            **self.headers,
            "Content-Type": "application/json",
            "X-Forwarded-For": f"172.{16 + (n >> 16) % 16}.{(n >> 8) & 255}.{n & 255 or 1}",
        }
        body = json.dumps({"email": email})
        started = time.perf_counter()
        connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            connection.request("POST", path, body=body, headers=headers)
            response = connection.getresponse()
            response.read()
        finally:
            connection.close()
        elapsed = (time.perf_counter() - started) * 1000
        if response.status != 200:
            raise RuntimeError(f"POST {path} for {email} answered {response.status}")
        return elapsed


def measure(*, base_url: str, headers: dict, rounds: int = 30, warmup: int = 4) -> dict:
    client = Client(base_url, headers)
    results: dict[str, dict[str, Any]] = {}
    for name, (path, verified) in ENDPOINTS.items():
        accounts = data.create_users(f"disc-{name}", rounds + warmup, verified=verified)
        unknown = [f"disc-{name}-nobody-{n}@unknown.example" for n in range(rounds + warmup)]
        timings: dict[str, list[float]] = {"existing": [], "unknown": []}
        for n, (existing, nobody) in enumerate(zip(accounts, unknown, strict=True)):
            pair = [("existing", existing), ("unknown", nobody)]
            for kind, email in pair if n % 2 == 0 else reversed(pair):
                elapsed = client.post(path, email)
                data.wait_outbox_drained(timeout=60)
                if n >= warmup:  # the first pairs warm up the gunicorn workers on this path
                    timings[kind].append(elapsed)
        results[name] = {"rounds": rounds}
        for kind, values in timings.items():
            quartiles = statistics.quantiles(values, n=4) if len(values) > 1 else values * 3
            results[name][f"{kind}_ms"] = round(statistics.median(values), 2)
            results[name][f"{kind}_iqr_ms"] = [round(quartiles[0], 2), round(quartiles[2], 2)]
    return results
