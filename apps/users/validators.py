import re

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from apps.common.exceptions import InvalidInput


def password_problems(password: str, *, user=None) -> list[str]:
    """Every password rule (AUTH_PASSWORD_VALIDATORS) that `password` breaks, one message each; empty when it
    passes. The one place the rules are applied: registration, password change and reset all call it. With
    `user` (or an unsaved User carrying the registration's name and address), "too similar" is checked too.
    """
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        return list(exc.messages)
    return []


def password_require_valid(password: str, *, user=None, field: str = "new_password") -> None:
    """400 on `field`, listing every rule `password` breaks."""
    if problems := password_problems(password, user=user):
        raise InvalidInput({field: problems})


class CharacterClassValidator:
    """The plan's rule: at least one upper-case letter, one lower-case letter and one digit."""

    rules = [
        (
            re.compile(r"[A-Z]"),
            "password_no_upper",
            "Password must contain at least one uppercase letter.",
        ),
        (
            re.compile(r"[a-z]"),
            "password_no_lower",
            "Password must contain at least one lowercase letter.",
        ),
        (re.compile(r"\d"), "password_no_digit", "Password must contain at least one digit."),
    ]

    def validate(self, password, user=None):
        errors = [
            ValidationError(message, code=code)
            for pattern, code, message in self.rules
            if not pattern.search(password)
        ]
        if errors:
            raise ValidationError(errors)

    def get_help_text(self):
        return "Your password must contain an uppercase letter, a lowercase letter and a digit."


# The top-level names of the IANA "Special-Use Domain Names" registry (RFC 6761, 6762, 7686, 8375, 9476),
# every .arpa entry taken as all of .arpa, plus .internal (reserved by ICANN for private use, 2024). No
# mailbox under them is reachable from the internet, and a deleted account's placeholder lives under one
# (`deleted.invalid`), so refusing them keeps placeholders unregistrable. The second-level documentation
# names example.com/.net/.org are deliberately accepted: RFC 6761 asks software not to treat them specially,
# and this project's tests and documentation use them.
SPECIAL_USE_TLDS = frozenset(
    {"alt", "arpa", "example", "internal", "invalid", "local", "localhost", "onion", "test"}
)
SPECIAL_USE_MESSAGE = "This address cannot receive email: {domain} is a special-use domain."


def validate_not_special_use(email: str) -> None:
    """Refuse an address on a special-use domain (a field error, code `special_use_domain`)."""
    domain = email.rpartition("@")[2].strip().rstrip(".").lower()
    if domain.rpartition(".")[2] in SPECIAL_USE_TLDS:
        raise ValidationError(SPECIAL_USE_MESSAGE.format(domain=domain), code="special_use_domain")
