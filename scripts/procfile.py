"""`honcho start` for `make run` / `make worker` / `make beat`, stopping cleanly on Ctrl-C.

Two differences from plain honcho: it waits up to STOP_SECONDS (not honcho's 5) for the processes to finish
after SIGTERM before it SIGKILLs them — a Celery worker's warm shutdown takes about 6 s on the embedded file
broker (kombu's polling cycle, billiard's pool threads), so honcho used to kill it mid-shutdown — and a stop
asked for by Ctrl-C or SIGTERM exits 0 instead of 130/143 (make's "Error 143"). Anything else, such as a
process that crashed, keeps its non-zero status.
"""

import signal
import sys

import honcho.manager
from honcho.command import main

STOP_SECONDS = 20
STOPPED_ON_REQUEST = {honcho.manager.SIGNALS[s]["rc"] for s in (signal.SIGINT, signal.SIGTERM)}

if __name__ == "__main__":
    honcho.manager.KILL_WAIT = STOP_SECONDS
    try:
        main(["start", *sys.argv[1:]])
    except SystemExit as exited:
        sys.exit(0 if exited.code in STOPPED_ON_REQUEST else exited.code)
