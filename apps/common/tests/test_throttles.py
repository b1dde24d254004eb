import pytest

from apps.common.throttles import parse_rate

LOGIN = "/api/v1/auth/login/"
pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("rate", "expected"),
    [
        ("3/h", (3, 3600)),
        ("3/10m", (3, 600)),
        ("5/10m", (5, 600)),
        ("10/m", (10, 60)),
        ("5/day", (5, 86400)),
    ],
)
def test_plan_rate_strings_parse(rate, expected):
    assert parse_rate(rate) == expected


@pytest.mark.parametrize("rate", ["", "3", "x/h", "3/10y"])
def test_bad_rate_strings_are_refused(rate):
    with pytest.raises(ValueError, match="rate"):
        parse_rate(rate)


def attempt(client, email="someone@example.com", **extra):
    return client.post(LOGIN, {"email": email, "password": "WrongPass123!"}, format="json", **extra)


def test_ip_limit_answers_429_with_retry_after(api_client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login_ip": "3/10m"}
    codes = [attempt(api_client, email=f"u{i}@example.com").status_code for i in range(4)]
    assert codes == [401, 401, 401, 429]
    response = attempt(api_client, email="u9@example.com")
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 600
    assert "error" in response.json()


def test_email_limit_holds_across_client_addresses(api_client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login_email": "2/10m"}
    codes = [attempt(api_client, REMOTE_ADDR=f"198.51.100.{i}").status_code for i in range(3)]
    assert codes == [401, 401, 429]


def test_forwarded_for_is_ignored_without_trusted_proxies(api_client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login_ip": "2/10m"}
    codes = [
        attempt(api_client, email=f"u{i}@example.com", HTTP_X_FORWARDED_FOR=f"192.0.2.{i}").status_code
        for i in range(3)
    ]
    assert codes == [401, 401, 429]


def test_trusted_proxy_forwarded_for_identifies_the_client(api_client, settings):
    settings.NUM_TRUSTED_PROXIES = 1
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login_ip": "2/10m"}

    def via_proxy(i, client_addr):
        # the client forges a first entry; our proxy appends the real address
        return attempt(
            api_client,
            email=f"u{i}@example.com",
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR=f"6.6.6.{i}, {client_addr}",
        ).status_code

    assert [via_proxy(i, "192.0.2.10") for i in range(3)] == [401, 401, 429]
    assert via_proxy(7, "192.0.2.11") == 401  # another real client behind the same proxy


def test_login_still_answered_while_the_cache_is_unreachable(api_client, user, password, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    ok = api_client.post(LOGIN, {"email": user.email, "password": password}, format="json")
    bad = attempt(api_client, email=user.email)
    assert (ok.status_code, bad.status_code) == (200, 401)
    ready = api_client.get("/readyz")
    assert ready.status_code == 503
    assert "rate_limiter" in ready.json()["checks"]
