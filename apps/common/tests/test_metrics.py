"""/metrics: for scrapers holding the token only; after real traffic it shows requests by route and status,
task outcomes per queue, queue depth, the outbox backlog, rate-limit rejections and the limiter's state."""

import re

import pytest
from prometheus_client.parser import text_string_to_metric_families

from apps.emails.services import email_send
from tests.support import wait_until

TOKEN = "scraper-token-0123456789"


def scrape(client, token=TOKEN):
    return client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {token}")


def samples(response) -> dict[tuple[str, frozenset], float]:
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


def value(found: dict, name: str, **labels) -> float:
    return found.get((name, frozenset(labels.items())), 0.0)


@pytest.mark.django_db
def test_metrics_are_off_without_a_token_and_refused_with_a_wrong_one(client, settings):
    settings.METRICS_TOKEN = ""
    assert scrape(client).status_code == 404
    settings.METRICS_TOKEN = TOKEN
    assert client.get("/metrics").status_code == 401
    refused = scrape(client, token="guess")
    assert refused.status_code == 401
    assert refused["WWW-Authenticate"].startswith("Bearer")
    assert refused.json()["code"] == "not_authenticated"


@pytest.mark.django_db
def test_metrics_answer_probes_by_ip_over_plain_http_like_health_checks(client, settings):
    """Scrapers call by IP without TLS; the host check and the HTTPS redirect must not get in the way."""
    settings.METRICS_TOKEN = TOKEN
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["api.example.com"]
    response = client.get("/metrics", HTTP_HOST="10.0.0.7:8000", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200


@pytest.mark.django_db
def test_the_metrics_endpoint_is_not_in_the_public_api_schema(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    assert not [path for path in schema["paths"] if "metrics" in path]


@pytest.mark.django_db
def test_requests_are_counted_by_route_and_status_with_latency(api_client, client, settings, user, password):
    settings.METRICS_TOKEN = TOKEN
    before = samples(scrape(client))
    for _ in range(2):
        api_client.post("/api/v1/auth/login/", {"email": user.email, "password": "wrong"}, format="json")
    assert (
        api_client.post(
            "/api/v1/auth/login/", {"email": user.email, "password": password}, format="json"
        ).status_code
        == 200
    )
    api_client.get("/api/v1/bills/12345/")  # 401 before the id is looked at: one route, not one per id
    after = samples(scrape(client))

    def delta(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    login = {"route": "/api/v1/auth/login/", "method": "POST"}
    assert delta("kinwise_http_requests_total", **login, status="401") == 2
    assert delta("kinwise_http_requests_total", **login, status="200") == 1
    assert delta("kinwise_http_request_duration_seconds_count", **login) == 3
    assert delta("kinwise_http_request_duration_seconds_bucket", **login, le="+Inf") == 3
    bill = {"route": "/api/v1/bills/<id:bill_id>/", "method": "GET", "status": "401"}
    assert delta("kinwise_http_requests_total", **bill) == 1
    assert not [key for key in after if "12345" in str(key)]


@pytest.mark.django_db
def test_rate_limit_rejections_are_counted_by_scope(api_client, client, settings):
    from apps.users.tests.registration_support import register

    settings.METRICS_TOKEN = TOKEN
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "register_ip": "2/h"}
    before = samples(scrape(client))  # the counters are per process: other tests may have moved them
    statuses = [register(api_client, f"limit{i}@example.com").status_code for i in range(4)]
    assert statuses == [201, 201, 429, 429]
    after = samples(scrape(client))

    def delta(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    assert delta("kinwise_rate_limit_rejections_total", scope="register_ip") == 2
    register_429 = {"route": "/api/v1/auth/register/", "method": "POST", "status": "429"}
    assert delta("kinwise_http_requests_total", **register_429) == 2


@pytest.mark.django_db
def test_the_limiter_is_reported_degraded_while_its_cache_is_down(api_client, client, settings):
    from tests.support import free_port

    settings.METRICS_TOKEN = TOKEN
    assert value(samples(scrape(client)), "kinwise_rate_limiter_degraded") == 0
    dead = f"redis://127.0.0.1:{free_port()}/0"
    settings.REDIS_URL = dead
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": dead,
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    before = samples(scrape(client))
    api_client.post("/api/v1/auth/login/", {"email": "a@example.com", "password": "x"}, format="json")
    found = samples(scrape(client))
    assert value(found, "kinwise_rate_limiter_degraded") == 1
    errors = "kinwise_rate_limiter_cache_errors_total"
    assert value(found, errors) > value(before, errors)
    assert value(found, "kinwise_rate_limiter_last_error_timestamp_seconds") > 0


@pytest.mark.requires_services
def test_tasks_queue_depth_and_outbox_backlog_after_real_work(
    client, settings, smtp_server, celery_broker, django_capture_on_commit_callbacks
):
    """Emails queued while no worker runs wait in the emails queue and as pending outbox rows; a real worker
    then delivers them, and its tasks are counted by queue and outcome."""
    from tests.support import running_worker

    settings.METRICS_TOKEN = TOKEN
    with django_capture_on_commit_callbacks(execute=True):
        for name in ("ann", "bob", "cat"):
            email_send(to=f"{name}@example.com", template="test")
    waiting = samples(scrape(client))
    assert value(waiting, "kinwise_celery_queue_length", queue="emails") == 3
    assert value(waiting, "kinwise_celery_queue_length", queue="bills") == 0
    assert value(waiting, "kinwise_email_outbox_rows", status="pending") == 3
    assert value(waiting, "kinwise_email_outbox_oldest_pending_age_seconds") >= 0

    before = value(
        waiting, "kinwise_celery_tasks_total", task="apps.emails.tasks.deliver_email", queue="emails",
        outcome="SUCCESS",
    )  # fmt: skip
    with running_worker():
        smtp_server.wait_for(3)

        def delivered():
            found = samples(scrape(client))
            ok = value(
                found, "kinwise_celery_tasks_total", task="apps.emails.tasks.deliver_email", queue="emails",
                outcome="SUCCESS",
            )  # fmt: skip
            return found if ok - before == 3 else None

        done = wait_until(delivered, timeout=20, message="three deliveries counted")
    assert value(done, "kinwise_celery_queue_length", queue="emails") == 0
    assert value(done, "kinwise_email_outbox_rows", status="sent") == 3
    assert value(done, "kinwise_email_outbox_rows", status="pending") == 0
    assert value(done, "kinwise_email_outbox_oldest_pending_age_seconds") == 0
    duration = {"task": "apps.emails.tasks.deliver_email", "queue": "emails"}
    assert value(done, "kinwise_celery_task_duration_seconds_count", **duration) >= 3
    assert re.search(r"kinwise_celery_task_duration_seconds_bucket\{", scrape(client).content.decode())
