"""A link token and a 6-digit code sent together in one email, kept only as keyed hashes.

Used wherever we prove that someone reads a mailbox: email verification, password reset, email change.
The token is 256 random bits for the link; the code is for people who cannot open links (it is guessable, so
every caller limits its tries). The code's hash is bound to its token's hash, so equal codes on two rows never
share a hash. Checks also accept hashes made under SECRET_KEY_FALLBACKS: a key rotation does not void emails.
"""

import re
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F, Model, Q
from django.utils.crypto import constant_time_compare

from apps.common.crypto import keyed_hash, keyed_hashes
from apps.common.one_time_secrets import SIX_DIGITS, clean_code  # noqa: F401  (re-exported for the flows)

# secrets.token_urlsafe(32) gives 43 characters; anything outside this shape is refused before hashing.
TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{20,128}")
CODE_RE = SIX_DIGITS


@dataclass(frozen=True)
class IssuedSecrets:
    token: str
    code: str
    token_hash: str
    code_hash: str


class EmailedSecrets:
    """Hashing for one feature's token/code pairs; `name` keeps each feature's keys apart."""

    def __init__(self, name: str):
        self.token_purpose = f"{name}.token"
        self.code_purpose = f"{name}.code"

    def issue(self) -> IssuedSecrets:
        token = secrets.token_urlsafe(32)
        code = f"{secrets.randbelow(1_000_000):06d}"
        token_hash = keyed_hash(self.token_purpose, token)
        code_hash = keyed_hash(self.code_purpose, f"{token_hash}:{code}")
        return IssuedSecrets(token=token, code=code, token_hash=token_hash, code_hash=code_hash)

    def token_hashes(self, token: object) -> list[str]:
        """The hashes a stored row may carry for `token`; empty for anything not shaped like our tokens."""
        if not isinstance(token, str) or not TOKEN_RE.fullmatch(token.strip()):
            return []
        return keyed_hashes(self.token_purpose, token.strip())

    def code_matches(self, *, token_hash: str, code_hash: str, code: str) -> bool:
        candidates = keyed_hashes(self.code_purpose, f"{token_hash}:{code}")
        return any(constant_time_compare(code_hash, candidate) for candidate in candidates)


def code_attempt_claim(
    *, model: type[Model], row_id: int, live: Q, limit: int, field: str = "code_attempts"
) -> bool:
    """Spend one try of a row's code before comparing it, in its own committed transaction.

    Counting tries (not only wrong ones) before the comparison makes the limit exact however many requests
    race: the database hands out at most `limit` tries, and a try that was not handed out is never compared.
    Returns False when the row has no tries left (or is no longer live). `field` counts the tries (a row with
    two codes keeps one count per code).
    """
    with transaction.atomic(durable=True):
        return bool(
            model._default_manager.filter(live, id=row_id, **{f"{field}__lt": limit}).update(
                **{field: F(field) + 1}
            )
        )


def mask_email(address: str) -> str:
    """john.doe@example.com → j***@e***.com: enough to recognise one's own address, not to learn another."""
    local, _, domain = address.partition("@")
    labels = domain.split(".")
    masked_domain = f"{labels[0][:1]}***" + (f".{labels[-1]}" if len(labels) > 1 else "")
    return f"{local[:1]}***@{masked_domain}"
