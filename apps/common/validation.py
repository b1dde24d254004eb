"""Input rules shared by the money-handling apps: amounts, currencies, time zones and date bounds."""

import re
import zoneinfo
from datetime import date
from decimal import Decimal
from functools import cache

from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import get_attribute

from apps.common.currencies import MAX_MINOR_UNITS, fits_minor_units, format_amount, is_currency, minor_units

# Amounts are stored with the most decimals any currency has; each currency's own minor unit is checked on
# input (`require_minor_units`) and applied on output (`AmountField`, `format_amount`).
MONEY_DECIMAL_PLACES = MAX_MINOR_UNITS
MONEY_MAX_DIGITS = 12 + MONEY_DECIMAL_PLACES
MONEY_MAX = Decimal(10**12) - Decimal("0.01")
MONEY_MIN = Decimal(1).scaleb(-MONEY_DECIMAL_PLACES)

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


class MoneyField(serializers.DecimalField):
    """A positive amount of money written as a decimal string ("12.50"). Its currency's minor unit is checked
    where the currency is known (`require_minor_units`)."""

    def __init__(self, *, allow_zero: bool = False, **kwargs):
        kwargs.setdefault("max_digits", MONEY_MAX_DIGITS)
        kwargs.setdefault("decimal_places", MONEY_DECIMAL_PLACES)
        kwargs.setdefault("min_value", Decimal(0) if allow_zero else MONEY_MIN)
        kwargs.setdefault("max_value", MONEY_MAX)
        super().__init__(**kwargs)


class CurrencyField(serializers.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("min_length", 3)
        kwargs.setdefault("max_length", 3)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data).upper()
        if not is_currency(value):
            raise serializers.ValidationError(f"{value!r} is not an ISO 4217 currency code.")
        return value


def field_error(field: str, message: str, *, code: str) -> serializers.ValidationError:
    """A 400 on one field, for rules a service checks (it knows the currency, the household's today)."""
    return serializers.ValidationError({field: [serializers.ErrorDetail(message, code=code)]})


def require_minor_units(amount: Decimal, currency: str, *, field: str = "amount") -> None:
    """400 on `field` when the amount has more decimals than the currency (10.5 JPY, 1.2345 KWD)."""
    if not fits_minor_units(amount, currency):
        digits = minor_units(currency)
        allowed = "no decimals" if digits == 0 else f"at most {digits} decimal{'s' if digits > 1 else ''}"
        raise field_error(field, f"{currency} amounts have {allowed}.", code="minor_units")


@extend_schema_field({"type": "string", "format": "decimal"})
class AmountField(serializers.Field):
    """An amount as output: a decimal string with its currency's decimals ("12.50" EUR, "1200" JPY)."""

    def __init__(self, *, currency_source: str = "currency", **kwargs):
        self.currency_source = currency_source.split(".")
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def get_attribute(self, instance):
        amount = super().get_attribute(instance)
        return (
            None if amount is None else format_amount(amount, get_attribute(instance, self.currency_source))
        )

    def to_representation(self, value):
        return value


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class BoundedDateField(serializers.DateField):
    """An ISO date between DATE_MIN and DATE_MAX; "2026-02-30" is "no such date", not a wrong format."""

    def to_internal_value(self, value):
        if isinstance(value, str) and _ISO_DATE.fullmatch(value.strip()):
            try:
                date.fromisoformat(value.strip())
            except ValueError:
                raise serializers.ValidationError(
                    f"No such date: {value.strip()}.", code="no_such_date"
                ) from None
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
