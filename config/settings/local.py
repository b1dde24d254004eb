"""Development on the embedded default: SQLite, file cache, mail to var/mail/."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
