"""One primitive for secrets we hand out and later check: emailed codes and links, and the MFA challenge.

The shape is allauth's code-verification process, kept in the database: a row with an expiry, a "used"
instant, a count of tries and a maximum, and only keyed hashes of what was sent. Every flow (email
verification, email-code login, password reset, email change, reauthentication, the MFA challenge) builds
on these three things:

- `OneTimeSecret` / `EmailedCode` / `EmailedSecret`: the abstract models (expiry, used, attempts; + the code's
  hash; + the link token's hash);
- `SecretHasher`: the code's keyed hash, bound to something of its row (the link token's hash, the user,
  the session) so that equal codes on two rows never share a hash; checks also accept hashes made under
  SECRET_KEY_FALLBACKS, so a key rotation does not void mailed secrets;
- `attempt_claim`: one conditional UPDATE hands out the next try. A guess is judged only through a try the
  database handed out, so however many requests race, a row is judged at most `attempt_limit()` times.

Threats and answers: disclosure (only hashes are stored; codes travel in the outbox's encrypted context),
guessing (tries per row here; tries per account in apps.users' failure budget), replay and races (a row is
spent by one conditional UPDATE, never by read-then-write).
"""

import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from django.db import models, transaction
from django.db.models import Q
from django.utils.crypto import constant_time_compare

from apps.common import clock
from apps.common.crypto import keyed_hash, keyed_hashes

# secrets.token_urlsafe(32) gives 43 characters; anything outside this shape is refused before hashing.
TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{20,128}")
# Six ASCII digits, the whole string (use with fullmatch; a `$` anchor would also accept "123456\n").
SIX_DIGITS = re.compile(r"[0-9]{6}")


def clean_code(code: object) -> str:
    """The code stripped of surrounding spaces, or "" when it is not six ASCII digits."""
    code = code.strip() if isinstance(code, str) else ""
    return code if SIX_DIGITS.fullmatch(code) else ""


class OneTimeSecret(models.Model):
    """Tried at most `attempt_limit()` times, used at most once, dead after `expires_at`.

    `attempts` counts tries handed out by `attempt_claim`, right or wrong. A model whose "used" instant has
    another name (a verification is "verified") sets `used_field` and removes `used_at` (`used_at = None`).
    """

    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(
        default=0, help_text="Tries so far, right or wrong, each claimed before it is judged."
    )

    max_attempts: ClassVar[int] = 5
    used_field: ClassVar[str] = "used_at"

    class Meta:
        abstract = True

    @classmethod
    def attempt_limit(cls) -> int:
        """Tries per row; override to read a setting (tests change settings)."""
        return cls.max_attempts

    @classmethod
    def pending(cls) -> Q:
        """Rows that may still be tried (expiry is the caller's: "expired" may be told to the right code)."""
        return Q(**{f"{cls.used_field}__isnull": True})

    @property
    def is_used(self) -> bool:
        return getattr(self, self.used_field) is not None

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= clock.now()

    @property
    def is_spent(self) -> bool:
        return self.attempts >= self.attempt_limit()


class EmailedCode(OneTimeSecret):
    """A six-digit code sent by email; only its keyed hash is kept."""

    code_hash = models.CharField(
        max_length=64, editable=False, help_text="Keyed HMAC-SHA256 of the code; the code is not kept."
    )

    class Meta:
        abstract = True


class EmailedSecret(EmailedCode):
    """A link token and a six-digit code sent together; only their keyed hashes are kept.

    A newer request replaces the pending ones (`replaced_at`), so an account has one live secret at most.
    """

    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    replaced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    @classmethod
    def pending(cls) -> Q:
        return super().pending() & Q(replaced_at__isnull=True)


class SecretHasher:
    """Keyed hashes of one feature's codes; `purpose` keeps each feature's keys apart.

    `binding` ties the hash to its row (a token's hash, a user id, a session id), so the same code on two
    rows has two hashes and a stolen hash cannot be replayed against another row.
    """

    def __init__(self, purpose: str):
        self.purpose = purpose

    def hash(self, binding: object, code: str) -> str:
        return keyed_hash(self.purpose, f"{binding}:{code}")

    def matches(self, stored: str, binding: object, code: str) -> bool:
        """Constant-time; also true for a hash made under one of SECRET_KEY_FALLBACKS."""
        candidates = keyed_hashes(self.purpose, f"{binding}:{code}")
        # a list, not a generator: every candidate is compared, so the time does not tell which one matched
        return any([constant_time_compare(stored, candidate) for candidate in candidates])  # noqa: C419


def new_code() -> str:
    return f"{secrets.randbelow(1_000_000):06d}"


@dataclass(frozen=True)
class IssuedSecrets:
    token: str
    code: str
    token_hash: str
    code_hash: str


class EmailedSecrets:
    """A link token and a code for one feature (`name` keeps each feature's keys apart), for `EmailedSecret`
    rows: the token is 256 random bits for the link, the code (bound to the token's hash) is for people who
    cannot open links."""

    def __init__(self, name: str):
        self.token_purpose = f"{name}.token"
        self.codes = SecretHasher(f"{name}.code")

    def issue(self) -> IssuedSecrets:
        token, code = secrets.token_urlsafe(32), new_code()
        token_hash = keyed_hash(self.token_purpose, token)
        code_hash = self.codes.hash(token_hash, code)
        return IssuedSecrets(token=token, code=code, token_hash=token_hash, code_hash=code_hash)

    def token_hashes(self, token: object) -> list[str]:
        """The hashes a stored row may carry for `token`; empty for anything not shaped like our tokens."""
        if not isinstance(token, str) or not TOKEN_RE.fullmatch(token.strip()):
            return []
        return keyed_hashes(self.token_purpose, token.strip())

    def code_matches(self, *, token_hash: str, code_hash: str, code: str) -> bool:
        return self.codes.matches(code_hash, token_hash, code)


def attempt_claim(
    row: OneTimeSecret, *, live: Q | None = None, field: str = "attempts", use_at: datetime | None = None
) -> int:
    """Hand out the next try of `row`: returns its number (1 for the first), or 0 when none is left.

    One conditional UPDATE decides (a compare-and-swap on the count, so the number returned is exact under
    concurrency: exactly one request gets the last try). `live` adds the conditions under which the row may
    still be tried (no newer row, not void, ...); `pending()` and under the limit are always required.

    Without `use_at` the claim commits in its own transaction before the request acts on its guess (some
    flows compare first, some claim first; either way no outcome is acted on without a claimed try): a wrong
    guess stays counted whatever the request does next. With `use_at` the guess already matched (compared in
    constant time): the same UPDATE also marks the row used, inside the caller's transaction, so a right
    answer costs one statement; it still wins only if it gets a try, so no guess is honoured past the limit.
    `field` counts the tries (a row with two codes keeps one count per code).
    """
    model = type(row)
    limit = model.attempt_limit()
    condition = model.pending() & (live if live is not None else Q())
    extra: dict[str, Any] = {} if use_at is None else {model.used_field: use_at}
    if any(f.name == "updated_at" for f in model._meta.concrete_fields):
        extra["updated_at"] = use_at or clock.now()
    if use_at is not None:
        return _claim(model, row, condition, field, limit, extra)
    with transaction.atomic(durable=True):
        return _claim(model, row, condition, field, limit, extra)


def _claim(
    model: type[OneTimeSecret],
    row: OneTimeSecret,
    condition: Q,
    field: str,
    limit: int,
    extra: dict[str, Any],
) -> int:
    rows = model._default_manager
    seen = getattr(row, field)
    while seen < limit:
        if rows.filter(condition, pk=row.pk, **{field: seen}).update(**{field: seen + 1}, **extra):
            setattr(row, field, seen + 1)
            return seen + 1
        current = rows.filter(condition, pk=row.pk).values_list(field, flat=True).first()
        if current is None:
            return 0
        seen = current
    return 0
