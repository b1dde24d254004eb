"""Input rules shared by the money-handling apps: amounts, currencies, time zones and date bounds."""

import zoneinfo
from datetime import date
from decimal import Decimal
from functools import cache

from django.core.exceptions import ValidationError
from rest_framework import serializers

from apps.common.currencies import ISO_4217_CODES

MONEY_MAX_DIGITS = 14
MONEY_DECIMAL_PLACES = 2
MONEY_MAX = Decimal(10 ** (MONEY_MAX_DIGITS - MONEY_DECIMAL_PLACES)) - Decimal("0.01")

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
    if value not in ISO_4217_CODES:
        raise ValidationError(f"{value!r} is not an ISO 4217 currency code.", code="currency")


class MoneyField(serializers.DecimalField):
    """A positive amount of money, read and written as a decimal string ("12.50")."""

    def __init__(self, *, allow_zero: bool = False, **kwargs):
        kwargs.setdefault("max_digits", MONEY_MAX_DIGITS)
        kwargs.setdefault("decimal_places", MONEY_DECIMAL_PLACES)
        kwargs.setdefault("min_value", Decimal("0") if allow_zero else Decimal("0.01"))
        kwargs.setdefault("max_value", MONEY_MAX)
        super().__init__(**kwargs)


class CurrencyField(serializers.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("min_length", 3)
        kwargs.setdefault("max_length", 3)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data).upper()
        if value not in ISO_4217_CODES:
            raise serializers.ValidationError(f"{value!r} is not an ISO 4217 currency code.")
        return value


class BoundedDateField(serializers.DateField):
    """An ISO date between DATE_MIN and DATE_MAX."""

    def to_internal_value(self, value):
        parsed = super().to_internal_value(value)
        if not DATE_MIN <= parsed <= DATE_MAX:
            raise serializers.ValidationError(f"Date must be between {DATE_MIN} and {DATE_MAX}.")
        return parsed


class TimeZoneField(serializers.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 64)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if value not in time_zone_names():
            raise serializers.ValidationError(f"{value!r} is not a known IANA time zone (e.g. Europe/Paris).")
        return value


# Largest value a BigAutoField id can hold; ids in query strings are checked against it.
ID_MAX = 2**63 - 1


class IdField(serializers.IntegerField):
    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", ID_MAX)
        super().__init__(**kwargs)
