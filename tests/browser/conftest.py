"""Browser tests: Debian's Chromium driven by Playwright, against a live server with a real Celery worker
(Redis broker) and a real SMTP server whose mail the tests read.

A failing test leaves a screenshot of every page it opened and their console logs under var/browser/<test>/.
"""

import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from conftest import SERVICES_REQUIRED
from tests.node import CLIENT_DIR, WEB_DIR, npm_ci, require_npm, run
from tests.support import ROOT, SmtpSink, text_part, wait_until

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = ROOT / "var" / "browser"
PASSWORD = "Kinwise-Browser-42"


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.browser_failed = report.failed
    return report


@pytest.fixture(scope="module")
def web_build():
    """The app bundled from web/ as `make web` does (npm ci from the lock files, esbuild)."""
    require_npm()
    npm_ci(CLIENT_DIR)
    npm_ci(WEB_DIR)
    run(["npm", "run", "-s", "build"], cwd=WEB_DIR)


@pytest.fixture(scope="module")
def chromium(web_build):
    if not Path(CHROMIUM).exists():
        message = f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
        if SERVICES_REQUIRED:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread; Django's guard against ORM calls from
    # async code would trip over it in the database fixtures' setup and teardown. Only while browsers run.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--disable-gpu"])
    try:
        yield browser
    finally:
        browser.close()
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@dataclass
class App:
    """The running service: its address, the mail it sent, and browser pages on it."""

    url: str
    mail: SmtpSink
    browser: Any  # playwright.sync_api.Browser
    pages: list = field(default_factory=list)
    logs: dict = field(default_factory=dict)

    def new_page(self, *, phone: bool = False):
        """A page in a browser context of its own (its own sessionStorage: another person, another tab)."""
        size = {"width": 390, "height": 844} if phone else {"width": 1280, "height": 900}
        context = self.browser.new_context(
            base_url=self.url, viewport=size, accept_downloads=True, is_mobile=phone, has_touch=phone
        )
        context.set_default_timeout(15_000)
        page = context.new_page()
        log = self.logs.setdefault(f"page{len(self.pages) + 1}", [])
        page.on("console", lambda message: log.append(f"{message.type}: {message.text}"))
        page.on("pageerror", lambda error: log.append(f"pageerror: {error}"))
        self.pages.append(page)
        return page

    def email_to(self, address: str, subject_part: str, *, after: int = 0) -> str:
        """The text of the newest email to `address` whose subject contains `subject_part` (waits for it)."""

        def find():
            found = [
                m for m in self.mail.messages_to(address) if subject_part.lower() in m["Subject"].lower()
            ]
            return text_part(found[-1]) if len(found) > after else None

        return wait_until(find, timeout=30, message=f"an email '{subject_part}' to {address}")

    def link_in(self, text: str, path: str) -> str:
        match = re.search(rf"https?://\S+{re.escape(path)}\?token=[\w\-.:~%]+", text)
        assert match, f"no {path} link in:\n{text}"
        return match.group(0)

    @staticmethod
    def code_in(text: str) -> str:
        match = re.search(r"\b(\d{6})\b", text)
        assert match, f"no 6-digit code in:\n{text}"
        return match.group(1)


@pytest.fixture
def app(chromium, live_server, celery_worker, smtp_server, settings, request):
    settings.FRONTEND_URL = live_server.url
    settings.CORS_ALLOWED_ORIGINS = [live_server.url]
    running = App(url=live_server.url, mail=smtp_server, browser=chromium)
    yield running
    if getattr(request.node, "browser_failed", False):
        folder = ARTIFACTS / request.node.name
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        for number, page in enumerate(running.pages, start=1):
            try:
                page.screenshot(path=str(folder / f"page{number}.png"), full_page=True)
                (folder / f"page{number}.url").write_text(page.url)
            except Exception as error:  # the page may be gone; keep the other artifacts
                (folder / f"page{number}.error").write_text(str(error))
        for name, lines in running.logs.items():
            (folder / f"{name}.console.log").write_text("\n".join(lines))
    for page in running.pages:
        page.context.close()
