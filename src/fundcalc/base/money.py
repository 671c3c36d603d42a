"""Where a euro-cent is decided: exact amounts and the two rounding rules.

Money is an integer number of euro-cents everywhere. Decimal strings from the
rules are parsed here, exactly once, never through a binary float. Only two
roundings exist in the whole arrangement:

* the origin share (*herkomstdeel*) is rounded half to even to the cent;
* every split (the pool over the *verdeelsleutel*, a month's contribution) uses
  the largest remainder method, so that the parts always sum to the whole.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from fractions import Fraction
from math import lcm

_DECIMAL = re.compile(r"^(?P<sign>-?)(?P<int>\d+)(?:\.(?P<frac>\d+))?$")


def parse_decimal(text: str, *, max_decimals: int | None = None) -> Fraction:
    """Parse a plain decimal string (`"236.40"`) exactly.

    Raises ValueError with a readable reason when the text is not a plain
    decimal or has more decimals than allowed.
    """
    match = _DECIMAL.match(text.strip())
    if match is None:
        raise ValueError(f'{text!r} is not a decimal number like "236.40"')
    frac = match["frac"] or ""
    if max_decimals is not None and len(frac) > max_decimals:
        raise ValueError(f"{text!r} has more than {max_decimals} decimals")
    value = Fraction(int(match["int"] + frac), 10 ** len(frac))
    return -value if match["sign"] else value


def parse_cents(text: str) -> int:
    """Parse a euro amount with at most two decimals into integer cents."""
    value = parse_decimal(text, max_decimals=2) * 100
    assert value.denominator == 1
    return int(value)


def format_cents(cents: int) -> str:
    """Format cents as a plain euro amount with two decimals (`-1234.05`)."""
    sign = "-" if cents < 0 else ""
    whole, rest = divmod(abs(cents), 100)
    return f"{sign}{whole}.{rest:02d}"


def round_half_even(value: Fraction) -> int:
    """Round an exact amount of cents to a whole cent, ties to the even cent."""
    floor = value.numerator // value.denominator
    remainder = value - floor
    if remainder > Fraction(1, 2) or (remainder == Fraction(1, 2) and floor % 2 == 1):
        return floor + 1
    return floor


def share_of(cents: int, share: Fraction) -> int:
    """`cents` × `share`, rounded half to even (the origin share of §4.8)."""
    return round_half_even(cents * share)


def split_largest_remainder(cents: int, weights: Mapping[str, Fraction]) -> dict[str, int]:
    """Split `cents` over `weights` by the largest remainder method.

    Each party gets the floor of its exact share; the cents left go one each
    to the parties with the largest remainders, ties to the lower code. A
    negative amount is split as its absolute value, negated. The parts sum to
    `cents` exactly.
    """
    if not weights:
        raise ValueError("cannot split over no parties")
    if any(w <= 0 for w in weights.values()):
        raise ValueError("weights must be positive")
    if cents < 0:
        return {code: -part for code, part in split_largest_remainder(-cents, weights).items()}
    # Bring the weights to one integer scale so every comparison is exact.
    scale = lcm(*(weight.denominator for weight in weights.values()))
    ints = {code: int(w * scale) for code, w in weights.items()}
    total = sum(ints.values())
    parts: dict[str, int] = {}
    remainders: list[tuple[int, str]] = []
    for code, weight in ints.items():
        quotient, remainder = divmod(cents * weight, total)
        parts[code] = quotient
        remainders.append((remainder, code))
    left = cents - sum(parts.values())
    remainders.sort(key=lambda item: (-item[0], item[1]))
    for _, code in remainders[:left]:
        parts[code] += 1
    return dict(sorted(parts.items()))


def budget_part(budget_cents: int, month: int) -> int:
    """The part of a year's budget that month `month` (1–12) pays: ⌊B·m/12⌋ − ⌊B·(m−1)/12⌋."""
    if not 1 <= month <= 12:
        raise ValueError(f"month {month} is not 1..12")
    return budget_cents * month // 12 - budget_cents * (month - 1) // 12
