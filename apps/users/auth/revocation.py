"""Revoked-session markers in the shared cache, so an access token dies with its session on every process.

Threats and answers:
- A stolen access token outliving logout, revocation, password reset, refresh reuse or account deletion (it is
  self-contained and lives `ACCESS_TOKEN_LIFETIME`): every revocation writes a marker `session-revoked:<sid>`
  to the shared cache once it commits, with a TTL of the access lifetime (+ a margin for clock skew), and the
  authentication class refuses a token whose session has a marker. One cache read per authenticated request
  (one MGET on Redis), no database query.
- The cache losing its markers (Redis restarted without persistence, flushed, or the file cache wiped when
  full): a sentinel key `session-revocations-published` is written with no expiry after the markers have
  been (re)published, and read in the same MGET as the marker. When it is missing, the process republishes
  every session revoked within the last access lifetime from the database (one query), then sets it.
- The cache unreachable: the check falls back to the database (one query) and /readyz reports the session
  check degraded. A revocation whose marker could not be written is still in the database; the process that
  noticed the outage (writing or reading) republishes from the database at its next successful cache read.
- A rolled-back revocation: markers are written on commit only, so a session that was not revoked is never
  refused. A process killed between the commit and the marker write leaves the tokens alive until they expire.

Markers only ever add refusals, so republishing concurrently with a revocation cannot lose one.
"""

import logging
import uuid
from collections.abc import Iterable
from datetime import timedelta

from django.core.cache import caches
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.state import token_backend

from apps.common import clock
from apps.common.health import record_cache_error
from apps.users.models import LoginSession

logger = logging.getLogger(__name__)

CACHE_ALIAS = "sessions"
HEALTH_COMPONENT = "session_revocation"
PUBLISHED_KEY = "session-revocations-published"
CLOCK_MARGIN = timedelta(seconds=30)


class _ProcessState:
    """`republish_needed`: this process failed to reach the cache, so republish from the database at the next
    successful read."""

    republish_needed = False


_state = _ProcessState()


def _key(session_id) -> str:
    return f"session-revoked:{session_id}"


def marker_lifetime() -> timedelta:
    """As long as an access token issued before the revocation can still be presented."""
    return api_settings.ACCESS_TOKEN_LIFETIME + token_backend.get_leeway() + CLOCK_MARGIN


def _cache_failed() -> None:
    """Call from the handler of the cache's error, once it is logged."""
    _state.republish_needed = True
    record_cache_error(HEALTH_COMPONENT)


def sessions_mark_revoked(session_ids: Iterable) -> None:
    """Publish that these sessions are revoked. Call once the revocation commits (`transaction.on_commit`)."""
    keys = {_key(sid): 1 for sid in session_ids}
    if not keys:
        return
    try:
        caches[CACHE_ALIAS].set_many(keys, timeout=marker_lifetime().total_seconds())
    except Exception:
        logger.warning(
            "Session cache unreachable; revocation marker not written (the database still has it)",
            exc_info=True,
        )
        _cache_failed()


def _recently_revoked() -> set[str]:
    since = clock.now() - marker_lifetime()
    revoked = LoginSession.objects.filter(revoked_at__gte=since).values_list("id", flat=True)
    return {str(sid) for sid in revoked}


def _republish() -> set[str]:
    """Write a marker for every session revoked within a marker lifetime, then the sentinel. One query;
    returns the revoked ids, which answer the check whether or not the cache took the writes."""
    revoked = _recently_revoked()
    cache = caches[CACHE_ALIAS]
    try:
        if revoked:
            cache.set_many({_key(sid): 1 for sid in revoked}, timeout=marker_lifetime().total_seconds())
        cache.set(PUBLISHED_KEY, 1, timeout=None)
    except Exception:
        logger.warning("Session cache unreachable; revocation markers not republished", exc_info=True)
        _cache_failed()
    else:
        _state.republish_needed = False
    return revoked


def _revoked_in_database(session_id) -> bool:
    # A session row that is gone (account deleted) counts as revoked.
    return not LoginSession.objects.filter(id=session_id, revoked_at__isnull=True).exists()


def session_is_revoked(session_id) -> bool:
    """Whether access tokens of this session must be refused. One cache read; the database only when the cache
    is unreachable or has lost its markers."""
    session_id = str(uuid.UUID(str(session_id)))
    key = _key(session_id)
    try:
        found = caches[CACHE_ALIAS].get_many([key, PUBLISHED_KEY])
    except Exception:
        logger.warning("Session cache unreachable; session checked in the database", exc_info=True)
        _cache_failed()
        return _revoked_in_database(session_id)
    if _state.republish_needed or PUBLISHED_KEY not in found:
        return key in found or session_id in _republish()
    return key in found


def reset_state() -> None:
    """Forget a past cache failure (tests that point the cache at a dead server and back)."""
    _state.republish_needed = False
