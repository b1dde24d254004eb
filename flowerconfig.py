"""Flower's configuration (it reads ./flowerconfig.py): basic auth is required, from FLOWER_BASIC_AUTH or the
file FLOWER_BASIC_AUTH_FILE names ("user:password", several comma-separated). Flower can revoke tasks and shut
workers down, so it does not start without it. Run it as `celery -A config flower` so it knows our app."""

import sys

from config.settings.base import env

basic_auth = [entry.strip() for entry in env("FLOWER_BASIC_AUTH", default="").split(",") if entry.strip()]
if not basic_auth or not all(":" in entry and entry.split(":", 1)[1] for entry in basic_auth):
    sys.stderr.write("Flower needs FLOWER_BASIC_AUTH=user:password (or FLOWER_BASIC_AUTH_FILE).\n")
    sys.exit(2)
