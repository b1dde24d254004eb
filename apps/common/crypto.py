"""Keys derived from settings, for secrets that must not rest in the database in a readable form.

Two tools: `keyed_hash` for values we only ever compare (codes, tokens), and `SecretBox` for values we must
read back (a TOTP seed, an email's secret context). Each use names its own purpose, so one derived key never
serves two features.
"""

import base64
import hashlib
import json
from functools import cache

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings
from django.utils.crypto import salted_hmac


def keyed_hash(purpose: str, value: str) -> str:
    """HMAC-SHA256 of `value` under a key derived from SECRET_KEY and `purpose` (hex, 64 characters).

    Without SECRET_KEY a stored hash says nothing about the value; compare hashes with
    `django.utils.crypto.constant_time_compare`.
    """
    return salted_hmac(f"kinwise.{purpose}", value, algorithm="sha256").hexdigest()


def keyed_hashes(purpose: str, value: str) -> list[str]:
    """`keyed_hash` under SECRET_KEY, then under each of SECRET_KEY_FALLBACKS.

    For checking a value against a stored hash made before a key rotation: compare with each candidate. New
    hashes are always made with `keyed_hash`.
    """
    fallbacks = [
        salted_hmac(f"kinwise.{purpose}", value, secret=key, algorithm="sha256").hexdigest()
        for key in getattr(settings, "SECRET_KEY_FALLBACKS", [])
    ]
    return [keyed_hash(purpose, value), *fallbacks]


@cache
def _fernet(purpose: str, key_material: str) -> Fernet:
    digest = hashlib.sha256(f"kinwise.{purpose}:{key_material}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


class SecretBox:
    """Fernet encryption under the keys of one setting, for key rotation: the first key encrypts, every key
    decrypts (MultiFernet). The setting is a list of key strings (a single string is one key); empty means
    keys derived from SECRET_KEY and then SECRET_KEY_FALLBACKS, so rotating SECRET_KEY with fallbacks keeps
    old rows readable. `rotate` re-encrypts a token under the first key (manage.py rotate_encryption_keys).
    """

    def __init__(self, purpose: str, key_setting: str, *, stored_in: tuple[str, str] | None = None):
        self.purpose = purpose
        self.key_setting = key_setting
        # (app_label.Model, field) holding this box's tokens, for the re-encryption command
        self.stored_in = stored_in
        BOXES.append(self)

    def key_materials(self) -> list[str]:
        keys = getattr(settings, self.key_setting, None) or []
        if isinstance(keys, str):
            keys = [keys]
        keys = [key for key in keys if key]
        return keys or [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]

    def _fernet(self) -> MultiFernet:
        return MultiFernet([_fernet(self.purpose, key) for key in self.key_materials()])

    def encrypt(self, text: str) -> str:
        return self._fernet().encrypt(text.encode()).decode()

    def decrypt(self, token: str) -> str:
        return self._fernet().decrypt(token.encode()).decode()

    def rotate(self, token: str) -> str:
        """The same plaintext encrypted under the first key (raises InvalidToken if no key opens it)."""
        return self._fernet().rotate(token.encode()).decode()

    def encrypt_json(self, data: dict) -> str:
        return self.encrypt(json.dumps(data))

    def decrypt_json(self, token: str) -> dict:
        return json.loads(self.decrypt(token))


BOXES: list[SecretBox] = []
