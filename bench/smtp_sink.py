"""An SMTP server that accepts everything and drops each message as a file into a directory.

Run as its own process: `python -m bench.smtp_sink --port 2525 --dir /tmp/mail`. Messages are written to a
temporary name and renamed into place, so a reader counting `*.eml` never sees half a message.
"""

import argparse
import asyncio
import email
import itertools
import os
import signal
import sys
import threading
from email import policy
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller


class DirectorySink:
    def __init__(self, directory: Path):
        self.directory = directory
        self._counter = itertools.count(1)
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 — aiosmtpd's hook name
        with self._lock:
            number = next(self._counter)
        tmp = self.directory / f".{number:08d}.tmp"
        tmp.write_bytes(envelope.content)
        os.replace(tmp, self.directory / f"{number:08d}.eml")
        return "250 OK"


def count_messages(directory: Path) -> int:
    with os.scandir(directory) as entries:
        return sum(1 for entry in entries if entry.name.endswith(".eml"))


def read_messages(directory: Path, start: int = 0) -> list[tuple[int, EmailMessage]]:
    """Messages numbered above `start`, oldest first, as (number, message)."""
    names = sorted(p.name for p in directory.glob("*.eml") if int(p.stem) > start)
    return [
        (int(name[:-4]), email.message_from_bytes((directory / name).read_bytes(), policy=policy.default))
        for name in names
    ]


def text_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dir", required=True)
    args = parser.parse_args(argv)
    directory = Path(args.dir)
    directory.mkdir(parents=True, exist_ok=True)
    controller = Controller(
        DirectorySink(directory), hostname=args.host, port=args.port, loop=asyncio.new_event_loop()
    )
    controller.start()
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    print(f"smtp sink listening on {args.host}:{args.port}, writing to {directory}", flush=True)
    stop.wait()
    controller.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
