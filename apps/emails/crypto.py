"""Symmetric encryption for secrets that must reach an email but must not rest in plaintext."""

import base64
import hashlib
import json
from functools import cache

from cryptography.fernet import Fernet
from django.conf import settings


@cache
def _fernet(key_material: str) -> Fernet:
    digest = hashlib.sha256(f"kinwise.email-context:{key_material}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def _current() -> Fernet:
    return _fernet(settings.EMAIL_CONTEXT_KEY or settings.SECRET_KEY)


def encrypt_json(data: dict) -> str:
    return _current().encrypt(json.dumps(data).encode()).decode()


def decrypt_json(token: str) -> dict:
    return json.loads(_current().decrypt(token.encode()))
