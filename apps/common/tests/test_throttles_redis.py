import http.client
import json
import threading
from urllib.parse import urlsplit

import pytest

LOGIN = "/api/v1/auth/login/"
pytestmark = [pytest.mark.requires_services, pytest.mark.django_db]


@pytest.fixture
def redis_cache(settings, redis_url):
    backend = "django.core.cache.backends.redis.RedisCache"
    settings.CACHES = {"default": {"BACKEND": backend, "LOCATION": redis_url}}


def post_all_at_once(base_url: str, count: int) -> list[int]:
    """`count` login attempts from as many threads, released together."""
    host, port = urlsplit(base_url).hostname or "127.0.0.1", urlsplit(base_url).port
    barrier, statuses = threading.Barrier(count), []

    def attempt(n: int) -> None:
        conn = http.client.HTTPConnection(host, port, timeout=30)
        body = json.dumps({"email": f"burst-{n}@example.com", "password": "WrongPass123!"})
        barrier.wait()
        conn.request("POST", LOGIN, body=body, headers={"Content-Type": "application/json"})
        statuses.append(conn.getresponse().status)
        conn.close()

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def test_a_burst_of_parallel_requests_is_admitted_exactly_up_to_the_limit(live_server, settings, redis_cache):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login_ip": "5/10m"}
    statuses = post_all_at_once(live_server.url, 16)
    assert sorted(statuses) == [401] * 5 + [429] * 11


def test_retry_after_counts_down_from_the_oldest_request_in_the_window(api_client, settings, redis_cache):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login_ip": "2/10m"}
    body = {"email": "someone@example.com", "password": "WrongPass123!"}
    codes = [api_client.post(LOGIN, body, format="json").status_code for _ in range(3)]
    assert codes == [401, 401, 429]
    assert 590 <= int(api_client.post(LOGIN, body, format="json")["Retry-After"]) <= 600
