"""Serializer fields applying the shared input rules of apps.common.validation (money, dates, ids)."""

import re
from datetime import date
from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import get_attribute

from apps.common.currencies import (
    MONEY_DECIMAL_PLACES,
    MONEY_MAX,
    MONEY_MAX_DIGITS,
    MONEY_MIN,
    format_amount,
    is_currency,
)
from apps.common.validation import DATE_MAX, DATE_MIN, ID_MAX, time_zone_names


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


class IdField(serializers.IntegerField):
    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", ID_MAX)
        super().__init__(**kwargs)
