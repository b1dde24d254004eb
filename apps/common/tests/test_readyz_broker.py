"""/readyz reports the Celery broker, and answers fast when the broker is down or hung."""

import socket
import time

import pytest

from conftest import require_service
from tests.support import free_port

pytestmark = pytest.mark.django_db


def _readyz(api_client):
    started = time.monotonic()
    response = api_client.get("/readyz")
    return response, time.monotonic() - started


def test_an_unreachable_broker_makes_readyz_503_at_once(api_client, settings):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{free_port()}/0"
    response, elapsed = _readyz(api_client)
    assert response.status_code == 503
    assert response.json()["checks"]["broker"].startswith("error")
    assert elapsed < 2


def test_a_broker_that_accepts_but_never_answers_does_not_hang_readyz(api_client, settings):
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{silent.getsockname()[1]}/0"
        response, elapsed = _readyz(api_client)
    assert response.status_code == 503
    assert response.json()["checks"]["broker"] == "error: TimeoutError"
    assert elapsed < 3


@pytest.mark.requires_services
def test_a_live_redis_broker_is_reported_ok(api_client, settings):
    require_service("Redis (Celery broker)", settings.CELERY_BROKER_URL)
    assert _readyz(api_client)[0].json()["checks"]["broker"] == "ok"


def _file_broker(settings, root):
    settings.CELERY_BROKER_URL = "filesystem://localhost/"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(root / "queue"),
        "data_folder_out": str(root / "queue"),
        "control_folder": str(root / "control"),
    }


def test_the_embedded_file_broker_is_ok_when_its_folders_are_writable(api_client, settings, tmp_path):
    (tmp_path / "queue").mkdir()
    (tmp_path / "control").mkdir()
    _file_broker(settings, tmp_path)
    assert _readyz(api_client)[0].json()["checks"]["broker"] == "ok"


def test_the_embedded_file_broker_is_an_error_when_its_folder_is_missing(api_client, settings, tmp_path):
    (tmp_path / "control").mkdir()
    _file_broker(settings, tmp_path)
    response, _ = _readyz(api_client)
    assert response.status_code == 503
    assert response.json()["checks"]["broker"] == "error: PermissionError"
