"""Node tooling for tests: npm packages installed from their committed lock files, and their commands."""

import shutil
import subprocess
from pathlib import Path

from conftest import SERVICES_REQUIRED
from tests.support import ROOT

CLIENT_DIR = ROOT / "clients" / "typescript"
WEB_DIR = ROOT / "web"


def require_npm() -> None:
    """Node and npm are part of the toolchain: fail under CI without them, skip loudly on a laptop."""
    import pytest

    if shutil.which("npm") and shutil.which("node"):
        return
    message = "node/npm are not installed (the typed client and the web app need Node 20)"
    if SERVICES_REQUIRED:
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def npm_ci(folder: Path) -> None:
    """`npm ci` from the committed package-lock.json, unless node_modules already matches it."""
    stamp = folder / "node_modules" / ".package-lock.json"
    lock = folder / "package-lock.json"
    if stamp.exists() and stamp.stat().st_mtime >= lock.stat().st_mtime:
        return
    run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=folder)


def run(argv: list[str], *, cwd: Path, timeout: float = 300) -> str:
    """Run a command; its output on success, an AssertionError with the output otherwise."""
    done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False)
    output = done.stdout + done.stderr
    assert done.returncode == 0, f"{' '.join(argv)} failed ({done.returncode}):\n{output[-6000:]}"
    return output


def node_bin(folder: Path, name: str) -> str:
    return str(folder / "node_modules" / ".bin" / name)
