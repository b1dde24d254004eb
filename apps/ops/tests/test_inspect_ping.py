"""Operators can ask the workers on the Redis broker whether they are alive."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import ROOT

pytestmark = pytest.mark.requires_services


def test_celery_inspect_ping_gets_a_pong_from_a_running_worker(celery_worker):
    celery = Path(sys.executable).parent / "celery"
    done = subprocess.run(
        # naming the worker lets the command return on its answer instead of waiting out the timeout
        [
            str(celery),
            "-A",
            "config",
            "inspect",
            "ping",
            "--destination",
            celery_worker.hostname,
            "--timeout",
            "10",
        ],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"},
        capture_output=True,
        check=False,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"{celery_worker.hostname}: OK" in done.stdout
    assert "pong" in done.stdout
