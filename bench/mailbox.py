"""Read what the SMTP sink received: every code the benchmark uses comes from a delivered email."""

import email
import os
import re
import time
from email import policy
from email.message import EmailMessage
from pathlib import Path

LOGIN_CODE_RE = re.compile(r"login code is: (\d{6})")
VERIFY_CODE_RE = re.compile(r"enter this code in the app instead: (\d{6})", re.IGNORECASE)


def count_messages(directory: Path) -> int:
    with os.scandir(directory) as entries:
        return sum(1 for entry in entries if entry.name.endswith(".eml"))


def read_messages(directory: Path, start: int = 0) -> list[tuple[int, EmailMessage]]:
    """Messages numbered above `start` (the sink names them <n>.eml), oldest first, as (number, message)."""
    paths = {int(path.stem): path for path in directory.glob("*.eml")}
    return [
        (number, email.message_from_bytes(paths[number].read_bytes(), policy=policy.default))
        for number in sorted(n for n in paths if n > start)
    ]


def text_of(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None, "no text/plain part"
    return body.get_content()


class Mailbox:
    def __init__(self, directory: Path):
        self.directory = directory
        self._seen = 0
        self.by_recipient: dict[str, list[str]] = {}

    def count(self) -> int:
        return count_messages(self.directory)

    def refresh(self) -> None:
        for number, message in read_messages(self.directory, start=self._seen):
            self._seen = max(self._seen, number)
            self.by_recipient.setdefault(str(message["To"]).lower(), []).append(text_of(message))

    def wait_for_count(self, count: int, timeout: float) -> float:
        """Block until the sink holds `count` messages; returns the moment it did (time.perf_counter())."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.count() >= count:
                return time.perf_counter()
            time.sleep(0.02)
        raise RuntimeError(f"the SMTP sink has {self.count()} of {count} messages after {timeout:.0f}s")

    def latest_code(self, recipient: str, pattern: re.Pattern, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.refresh()
            for text in reversed(self.by_recipient.get(recipient.lower(), [])):
                if match := pattern.search(text):
                    return match.group(1)
            time.sleep(0.05)
        raise RuntimeError(f"no email matching {pattern.pattern!r} reached {recipient} within {timeout:.0f}s")

    def login_codes(self) -> dict[str, str]:
        """Recipient -> the code in the newest login-code email sent to it."""
        self.refresh()
        codes = {}
        for recipient, texts in self.by_recipient.items():
            for text in reversed(texts):
                if match := LOGIN_CODE_RE.search(text):
                    codes[recipient] = match.group(1)
                    break
        return codes
