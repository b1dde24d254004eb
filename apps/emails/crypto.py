"""Symmetric encryption for secrets that must reach an email but must not rest in plaintext."""

from apps.common.crypto import SecretBox

_box = SecretBox("email-context", "EMAIL_CONTEXT_KEY", stored_in=("emails.EmailOutbox", "secret_context"))


def encrypt_json(data: dict) -> str:
    return _box.encrypt_json(data)


def decrypt_json(token: str) -> dict:
    return _box.decrypt_json(token)
