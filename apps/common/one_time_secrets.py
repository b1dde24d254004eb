"""Secrets we hand out and later check: emailed codes and links, and the MFA challenge.

The six-digit code rule lives here once: the API's `CodeField` (apps.common.serializers) and the services'
`clean_code` apply the same pattern, matched over the whole string.
"""

import re

# Six ASCII digits, the whole string (use with fullmatch; a `$` anchor would also accept "123456\n").
SIX_DIGITS = re.compile(r"[0-9]{6}")


def clean_code(code: object) -> str:
    """The code stripped of surrounding spaces, or "" when it is not six ASCII digits."""
    code = code.strip() if isinstance(code, str) else ""
    return code if SIX_DIGITS.fullmatch(code) else ""
