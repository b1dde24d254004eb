"""Run manage.py or a snippet in a subprocess under config.settings.production with production-like values."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def production_env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    """What an operator following docs/DEPLOY.md sets (hosts need not be reachable for these checks)."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", str(BASE_DIR)),
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "DEBUG": "False",
        "ALLOWED_HOSTS": "api.kinwise.example,testserver",
        "DATABASE_URL": "postgres://kinwise:pw@db.internal:5432/kinwise",
        "REDIS_URL": "redis://redis.internal:6379/0",
        "CELERY_BROKER_URL": "redis://redis.internal:6379/1",
        "EMAIL_HOST": "smtp.example.com",
        "EMAIL_PORT": "587",
        "EMAIL_USE_TLS": "True",
        "FRONTEND_URL": "https://app.kinwise.example",
        "NUM_TRUSTED_PROXIES": "1",
        "LOG_LEVEL": "WARNING",
    }
    env.update(overrides)
    return {key: value for key, value in env.items() if value is not None}


def run_production(args: list[str], env: dict[str, str], timeout: int = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        check=False,
        text=True,
        timeout=timeout,
    )
