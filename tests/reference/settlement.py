"""An independent, deliberately naive reference of SPEC §9, the year-end settlement.

This is a test oracle: it is written straight from the text of the spec and imports
nothing from ``fundcalc``, so that a mistake in the product is not repeated here by
sharing code. It favours obviousness over speed: every figure is a plain sum over the
statement rows, every split an exact ``Fraction``.

The public functions:

- :func:`settle` settles one year from the texts of its twelve archived
  ``statement.csv`` files and the already-resolved rules (key, method, cap, opening
  reserve);
- :func:`settle_from_rules` reads those rules from the text of ``arrangement.toml``;
- :func:`chain` settles consecutive years, each opening with the previous closing
  reserve;
- :func:`settlement_csv` renders rows as the text of ``settlement.csv``.

A row is ``(year, payer, item, amount_cents)``, with ``year`` as text, exactly as the
CSV holds it. Row order (chosen here, the product's may differ; compare sorted):
the members by code ascending, each with ``contributions``, ``charged``, ``net``,
``reserve``, ``settlement`` in that order, then the ``FUND`` rows ``opening_reserve``,
``result``, ``to_reserve``, ``closing_reserve``, ``settled``.
"""

from __future__ import annotations

import csv
import io
import re
import tomllib
from collections import defaultdict
from datetime import date
from fractions import Fraction

Row = tuple[str, str, str, int]

STATEMENT_COLUMNS = ("period", "payer", "item", "for_period", "amount_cents")
#: Statement items that make a payer a member of the fund (§9.1).
MEMBER_ITEMS = ("contribution", "origin", "key")
MEMBER_OUTPUT_ITEMS = ("contributions", "charged", "net", "reserve", "settlement")
FUND_OUTPUT_ITEMS = ("opening_reserve", "result", "to_reserve", "closing_reserve", "settled")
METHODS = ("balance", "key")
FUND = "FUND"
EURO = re.compile(r"-?\d+(\.\d{1,2})?")
PERIOD = re.compile(r"(\d{4})-(\d{2})")


# --- money and splitting ---


def parse_euros(text: str) -> int:
    """A decimal euro string ("800.00", "500", "-1.5") as integer cents, exactly.

    Never goes through a float (§2); more than two decimals is an error.
    """
    cleaned = text.strip()
    if not EURO.fullmatch(cleaned):
        raise ValueError(f"not a euro amount with at most 2 decimals: {text!r}")
    return int(Fraction(cleaned) * 100)


def largest_remainder(cents: int, weights: dict[str, Fraction]) -> dict[str, int]:
    """Split ``cents`` over the codes of ``weights`` by the largest remainder method (§4.8).

    Each code gets the floor of its exact share; the cents left go one each to the codes
    with the largest remainders, ties to the lower code. A negative amount is split as
    its absolute value and negated.
    """
    if not weights:
        raise ValueError("cannot split over an empty key")
    if cents < 0:
        return {code: -part for code, part in largest_remainder(-cents, weights).items()}
    total = sum(weights.values())
    if total <= 0 or any(w <= 0 for w in weights.values()):
        raise ValueError("key weights must be positive")
    exact = {code: cents * w / total for code, w in weights.items()}
    parts = {code: share.numerator // share.denominator for code, share in exact.items()}
    left = cents - sum(parts.values())
    by_remainder = sorted(weights, key=lambda code: (-(exact[code] - parts[code]), code))
    for code in by_remainder[:left]:
        parts[code] += 1
    return parts


def parse_weights(weights: dict[str, str]) -> dict[str, Fraction]:
    """Decimal weight strings as exact fractions."""
    return {code: Fraction(str(weight).strip()) for code, weight in weights.items()}


# --- reading the statements ---


def read_statement(text: str) -> list[dict[str, str]]:
    """The rows of one ``statement.csv`` text, fields stripped, checked for the §5 columns."""
    reader = csv.DictReader(io.StringIO(text.removeprefix("\ufeff")))
    if tuple(reader.fieldnames or ()) != STATEMENT_COLUMNS:
        raise ValueError(f"statement header is {reader.fieldnames}, not {STATEMENT_COLUMNS}")
    return [{k: (v or "").strip() for k, v in row.items()} for row in reader]


def statement_rows(statements: list[str], year: int) -> list[dict[str, str]]:
    """All rows of the year's twelve statements, after checking they are Y-01 … Y-12.

    Every row counts, whatever its ``for_period`` (§9): corrections booked in Y count in Y.
    """
    months: list[int] = []
    rows: list[dict[str, str]] = []
    for text in statements:
        statement = read_statement(text)
        periods = {row["period"] for row in statement}
        if len(periods) != 1:
            raise ValueError(f"a statement must hold exactly one period, not {sorted(periods)}")
        match = PERIOD.fullmatch(periods.pop())
        if match is None or int(match.group(1)) != year:
            raise ValueError(f"statement of period {statement[0]['period']} is not in {year}")
        months.append(int(match.group(2)))
        rows.extend(statement)
    if sorted(months) != list(range(1, 13)):
        raise ValueError(f"need the statements of months 1..12 of {year}, got {sorted(months)}")
    return rows


def member_sums(rows: list[dict[str, str]]) -> dict[str, dict[str, int]]:
    """Per payer with a contribution, origin or key row: the sum of each of those items."""
    sums: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(MEMBER_ITEMS, 0))
    for row in rows:
        if row["item"] in MEMBER_ITEMS:
            sums[row["payer"]][row["item"]] += int(row["amount_cents"])
    return dict(sums)


# --- the settlement ---


def closing_reserve(opening: int, result: int, cap: int) -> int:
    """§9.3: min(max(O + R, 0), C)."""
    return min(max(opening + result, 0), cap)


def split_over_key(amount: int, key: dict[str, Fraction], members: list[str]) -> dict[str, int]:
    """``amount`` split over the key's members by the key; 0 for members not in the key."""
    parts = largest_remainder(amount, key)
    return {code: parts.get(code, 0) for code in members}


def settle(  # noqa: PLR0917 - the agreed oracle API takes these positionally
    statements: list[str],
    year: int,
    weights_on_1_december: dict[str, str],
    method: str,
    reserve_cap_cents: int,
    opening_reserve_cents: int,
) -> list[Row]:
    """The rows of ``settlement.csv`` for ``year`` (§9).

    ``statements`` are the texts of the year's twelve archived ``statement.csv`` files;
    ``weights_on_1_december`` the key in force on 1 December of the year (decimal
    strings); ``method`` ``"balance"`` or ``"key"``; ``reserve_cap_cents`` the cap C;
    ``opening_reserve_cents`` the opening reserve O.
    """
    if method not in METHODS:
        raise ValueError(f"unknown settlement method {method!r}")
    if reserve_cap_cents < 0:
        raise ValueError("reserve_cap must be >= 0")
    key = parse_weights(weights_on_1_december)
    sums = member_sums(statement_rows(statements, year))
    members = sorted(set(sums) | set(key))
    zero = dict.fromkeys(MEMBER_ITEMS, 0)
    contributions = {c: sums.get(c, zero)["contribution"] for c in members}
    charged = {c: sums.get(c, zero)["origin"] + sums.get(c, zero)["key"] for c in members}
    net = {c: contributions[c] - charged[c] for c in members}
    result = sum(net.values())
    closing = closing_reserve(opening_reserve_cents, result, reserve_cap_cents)
    to_reserve = closing - opening_reserve_cents
    settled = result - to_reserve
    reserve = split_over_key(to_reserve, key, members)
    if method == "balance":
        settlement = {c: net[c] - reserve[c] for c in members}
    else:
        settlement = split_over_key(settled, key, members)
    label = str(year)
    rows: list[Row] = []
    for c in members:
        figures = (contributions[c], charged[c], net[c], reserve[c], settlement[c])
        rows += [
            (label, c, item, amount)
            for item, amount in zip(MEMBER_OUTPUT_ITEMS, figures, strict=True)
        ]
    fund = (opening_reserve_cents, result, to_reserve, closing, settled)
    rows += [
        (label, FUND, item, amount) for item, amount in zip(FUND_OUTPUT_ITEMS, fund, strict=True)
    ]
    return rows


# --- reading the rules ---


def as_date(value: object) -> date:
    """A TOML date (or ISO date text) as a ``date``."""
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def version_in_force(versions: list[dict[str, object]], day: date, what: str) -> dict[str, object]:
    """The version with the greatest ``valid_from`` <= ``day`` (§2)."""
    candidates = [v for v in versions if as_date(v["valid_from"]) <= day]
    if not candidates:
        raise ValueError(f"no [[{what}]] version in force on {day.isoformat()}")
    return max(candidates, key=lambda v: as_date(v["valid_from"]))


def settle_from_rules(
    arrangement_toml: str,
    statements: list[str],
    year: int,
    opening_reserve_cents: int | None,
) -> list[Row]:
    """Settle ``year`` with the rules read from the text of ``arrangement.toml``.

    The ``[[settlement]]`` version in force on 1 January of the year gives method and
    cap, the ``[[key]]`` in force on 1 December the key. ``opening_reserve_cents`` is the
    previous year's closing reserve, or ``None`` when no year was settled before: then
    ``[fund] opening_reserve`` applies (default 0).
    """
    rules = tomllib.loads(arrangement_toml)
    terms = version_in_force(rules.get("settlement", []), date(year, 1, 1), "settlement")
    valid_from = as_date(terms["valid_from"])
    if (valid_from.month, valid_from.day) != (1, 1):
        raise ValueError("a [[settlement]] version must be valid from 1 January")
    key = version_in_force(rules.get("key", []), date(year, 12, 1), "key")
    weights = key["weights"]
    assert isinstance(weights, dict)
    if opening_reserve_cents is None:
        opening_reserve_cents = parse_euros(str(rules.get("fund", {}).get("opening_reserve", "0")))
    return settle(
        statements,
        year,
        {str(code): str(weight) for code, weight in weights.items()},
        str(terms["method"]),
        parse_euros(str(terms["reserve_cap"])),
        opening_reserve_cents,
    )


def fund_figure(rows: list[Row], item: str) -> int:
    """The amount of the ``FUND`` row ``item``."""
    (amount,) = [a for _, payer, it, a in rows if payer == FUND and it == item]
    return amount


def chain(arrangement_toml: str, statements_by_year: dict[int, list[str]]) -> dict[int, list[Row]]:
    """Settle consecutive years in order, each opening with the previous closing reserve.

    The first year opens with ``[fund] opening_reserve``. Years must be consecutive: a gap
    would be a year left unsettled, which §9 refuses.
    """
    years = sorted(statements_by_year)
    if years and years != list(range(years[0], years[0] + len(years))):
        raise ValueError(f"years must be consecutive, got {years}")
    settled: dict[int, list[Row]] = {}
    opening: int | None = None
    for year in years:
        rows = settle_from_rules(arrangement_toml, statements_by_year[year], year, opening)
        settled[year] = rows
        opening = fund_figure(rows, "closing_reserve")
    return settled


def settlement_csv(rows: list[Row]) -> str:
    """The text of ``settlement.csv``: header ``year,payer,item,amount_cents``, rows as given."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(("year", "payer", "item", "amount_cents"))
    writer.writerows(rows)
    return out.getvalue()
