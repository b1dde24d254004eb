import re

from django.core.exceptions import ValidationError


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
