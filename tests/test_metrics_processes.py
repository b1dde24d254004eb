"""Metrics from the real process model: gunicorn with several worker processes behind one /metrics, and a
prefork Celery worker serving its pool's task metrics on CELERY_METRICS_PORT (prometheus_client's
multiprocess mode). Counts must add up across processes, whichever process did the work."""

import subprocess
import sys
import urllib.request

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.support import (
    ROOT,
    Process,
    free_port,
    shared_database_url,
    start_procfile_worker,
    venv_env,
    wait_until,
)

pytestmark = pytest.mark.requires_services
TOKEN = "scrape-me-0123456789abcdef"


def _get(url: str, token: str | None = None) -> str:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 — loopback only
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 — loopback only
        return response.read().decode()


def _value(text: str, name: str, **labels) -> float:
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and sample.labels == labels:
                return sample.value
    return 0.0


def test_web_and_worker_metrics_add_up_across_processes(tmp_path, celery_broker, smtp_server, settings):
    web_port, worker_port = free_port(), free_port()
    env = venv_env(
        DATABASE_URL=shared_database_url(),
        CELERY_BROKER_URL=celery_broker,
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(settings.EMAIL_PORT),
        METRICS_TOKEN=TOKEN,
        GUNICORN_BIND=f"127.0.0.1:{web_port}",
        WEB_CONCURRENCY="3",
        CELERY_WORKER_CONCURRENCY="2",
        CELERY_METRICS_PORT=str(worker_port),
    )
    web = Process(["gunicorn", "config.wsgi"], env=env, log=tmp_path / "web.log")
    worker = None
    try:
        worker = start_procfile_worker(env=env, log=tmp_path / "worker.log", name="metrics")
        wait_until(lambda: "Booting worker" in web.output() and _healthy(web_port), message="gunicorn up")
        healthz = {"route": "/healthz", "method": "GET", "status": "200"}
        before = _value(
            _get(f"http://127.0.0.1:{web_port}/metrics", TOKEN), "kinwise_http_requests_total", **healthz
        )
        for _ in range(30):
            _get(f"http://127.0.0.1:{web_port}/healthz")
        sent = subprocess.run(
            [sys.executable, "manage.py", "send_test_email", "ops@example.com"],
            cwd=ROOT, env=env, capture_output=True, check=False, text=True, timeout=60,
        )  # fmt: skip
        assert sent.returncode == 0, sent.stderr
        smtp_server.wait_for(1)

        web_metrics = _get(f"http://127.0.0.1:{web_port}/metrics", TOKEN)
        assert _value(web_metrics, "kinwise_http_requests_total", **healthz) - before == 30
        assert len({line.split()[-1] for line in web.output().splitlines() if "Booting worker" in line}) >= 3

        def delivered():
            text = _get(f"http://127.0.0.1:{worker_port}/metrics")
            labels = {"task": "apps.emails.tasks.deliver_email", "queue": "emails", "outcome": "SUCCESS"}
            return text if _value(text, "kinwise_celery_tasks_total", **labels) == 1 else None

        worker_metrics = wait_until(delivered, timeout=20, message="the delivery in the worker's metrics")
        labels = {"task": "apps.emails.tasks.deliver_email", "queue": "emails"}
        assert _value(worker_metrics, "kinwise_celery_task_duration_seconds_count", **labels) == 1
    finally:
        web.stop()
        if worker is not None:
            worker.stop()
        print(web.output()[-3000:], worker.output()[-3000:] if worker else "")


def _healthy(port: int) -> bool:
    try:
        return "ok" in _get(f"http://127.0.0.1:{port}/healthz")
    except OSError:
        return False
