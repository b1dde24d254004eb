"""Input rules shared by the money-handling apps: amounts, currencies, time zones and date bounds.

Models and services use these; the serializer fields that apply them are in apps.common.fields (this module
stays free of the web layer).
"""

import zoneinfo
from datetime import date
from decimal import Decimal
from functools import cache

from django.core.exceptions import ValidationError

from apps.common.currencies import fits_minor_units, is_currency, minor_units
from apps.common.exceptions import field_error

# Dates outside this window are rejected at the API so that date arithmetic (recurrences, report periods)
# can never step past date.max or into nonsense.
DATE_MIN = date(1970, 1, 1)
DATE_MAX = date(2200, 12, 31)

_NOT_ZONES = {"localtime", "Factory", "posixrules"}


@cache
def time_zone_names() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones() - _NOT_ZONES)


def validate_time_zone(value: str) -> None:
    if value not in time_zone_names():
        raise ValidationError(
            f"{value!r} is not a known IANA time zone (e.g. Europe/Paris).", code="time_zone"
        )


def validate_currency(value: str) -> None:
    if not is_currency(value):
        raise ValidationError(f"{value!r} is not an ISO 4217 currency code.", code="currency")


# Largest value a BigAutoField id can hold; ids in query strings are checked against it.
ID_MAX = 2**63 - 1


def require_minor_units(amount: Decimal, currency: str, *, field: str = "amount") -> None:
    """400 on `field` when the amount has more decimals than the currency (10.5 JPY, 1.2345 KWD)."""
    if not fits_minor_units(amount, currency):
        digits = minor_units(currency)
        allowed = "no decimals" if digits == 0 else f"at most {digits} decimal{'s' if digits > 1 else ''}"
        raise field_error(field, f"{currency} amounts have {allowed}.", code="minor_units")
