"""ISO 4217 currencies and their minor units, from the `iso4217` package (ISO's own published list).

Accepted are the codes that have a minor unit: the circulating currencies and the funds codes that have one
(CLF, UYW…). Codes without one — precious metals (XAU), SDRs (XDR), the test code XTS, XXX — are not money a
household pays bills in. Babel's CLDR data was not used: its "digits" are what people write in practice
(IQD 0, HUF 0, LBP 0), not ISO's minor units (IQD 3, HUF 2, LBP 2).
"""

from decimal import Decimal
from functools import cache

import iso4217

DEFAULT_CURRENCY = "USD"
# The most decimals any accepted currency has (CLF, UYW: 4); the database stores this many.
MAX_MINOR_UNITS = 4

# Amounts are stored with the most decimals any currency has; each currency's own minor unit is checked on
# input (`validation.require_minor_units`) and applied on output (`validation.AmountField`, `format_amount`).
MONEY_DECIMAL_PLACES = MAX_MINOR_UNITS
MONEY_MAX_DIGITS = 12 + MONEY_DECIMAL_PLACES
MONEY_MAX = Decimal(10**12) - Decimal("0.01")
MONEY_MIN = Decimal(1).scaleb(-MONEY_DECIMAL_PLACES)


@cache
def minor_units_table() -> dict[str, int]:
    return {c.code: c.exponent for c in iso4217.Currency if c.exponent is not None}


def is_currency(code: str) -> bool:
    return code in minor_units_table()


def minor_units(code: str) -> int:
    """Decimals of the currency (JPY 0, EUR 2, KWD 3). KeyError for a code that is not accepted."""
    return minor_units_table()[code]


@cache
def _quantum(code: str) -> Decimal:
    return Decimal(1).scaleb(-minor_units(code))


def decimals_of(amount: Decimal) -> int:
    exponent = amount.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def fits_minor_units(amount: Decimal, code: str) -> bool:
    return decimals_of(amount) <= minor_units(code)


def format_amount(amount: Decimal, code: str) -> str:
    """The amount with exactly the currency's decimals, no grouping: "1200.50" EUR, "1200" JPY, "1.500" KWD.
    Used by the API, emails and the CSV, so every surface writes one amount the same way."""
    return f"{Decimal(amount).quantize(_quantum(code)):f}"
