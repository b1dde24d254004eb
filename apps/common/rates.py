"""Rate strings in the plan's notation ("3/h", "3/10m"), without Django: settings parse them at start-up."""

import re

_RATE_RE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd])[a-z]*\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """'3/h' -> (3, 3600); '3/10m' -> (3, 600); '5/day' -> (5, 86400)."""
    match = _RATE_RE.match(rate)
    if not match:
        raise ValueError(f"Bad rate string {rate!r}; expected N/[M]unit, unit one of s m h d.")
    count, multiplier, unit = match.groups()
    return int(count), int(multiplier or 1) * _UNIT_SECONDS[unit]


def is_looser(rate: str, than: str) -> bool:
    """True when `rate` admits more requests than `than` over some stretch of time.

    Either more requests per second on average, or a larger burst (more requests in one window).
    """
    count, seconds = parse_rate(rate)
    base_count, base_seconds = parse_rate(than)
    return count * base_seconds > base_count * seconds or count > base_count


def rate_overrides(
    defaults: dict[str, str], overrides: dict[str, str], *, allow_looser: bool
) -> dict[str, str]:
    """`defaults` with `overrides` applied, each checked: a known scope, a valid rate, and (unless
    `allow_looser`) no looser than the default. Raises ValueError naming the offending entry."""
    unknown = sorted(set(overrides) - set(defaults))
    if unknown:
        raise ValueError(f"RATE_LIMITS: unknown scope(s) {', '.join(unknown)}")
    for scope, rate in overrides.items():
        parse_rate(rate)
        if not allow_looser and is_looser(rate, defaults[scope]):
            raise ValueError(
                f"RATE_LIMITS: {scope}={rate} is looser than the default {defaults[scope]}; "
                "set RATE_LIMITS_ALLOW_LOOSER=True to allow it"
            )
    return {**defaults, **overrides}
