"""Helpers for the emails that carry a secret. The secrets themselves: apps.common.one_time_secrets."""


def mask_email(address: str) -> str:
    """john.doe@example.com → j***@e***.com: enough to recognise one's own address, not to learn another."""
    local, _, domain = address.partition("@")
    labels = domain.split(".")
    masked_domain = f"{labels[0][:1]}***" + (f".{labels[-1]}" if len(labels) > 1 else "")
    return f"{local[:1]}***@{masked_domain}"
