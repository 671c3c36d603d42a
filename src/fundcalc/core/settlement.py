"""The year-end settlement (*jaarafrekening*, §9): what each member gets back or pays in.

Through the year each member pays its monthly `contribution` (an advance,
*voorschot*) and is charged its `origin` and `key` shares of the fund's costs.
Settling year Y sums those rows of the twelve statements of Y as they were
closed, every row whatever its `for_period` (a correction counts in the year it
is booked in), and then:

* per member c: `contributions`, `charged` (origin + key), `net` = contributions
  − charged; the fund's result R = Σ net;
* the equalisation reserve (*egalisatiereserve*): closing = min(max(O + R, 0),
  cap), `to_reserve` T = closing − O (negative: drawn from the reserve), the
  amount settled with the members S = R − T;
* `reserve`_c: T split by the key in force on 1 December of Y (largest
  remainder), 0 for others;
* `settlement`_c: with `balance` net_c − reserve_c, with `key` S split by that
  key; positive: the fund pays the member back, negative: the member pays in.

Pure: the statement rows come in as values, the archive is read elsewhere.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from fundcalc.base.money import split_largest_remainder
from fundcalc.core.allocation import CONTRIBUTION, KEY, ORIGIN, StatementRow
from fundcalc.inputs.rules import KeyVersion, SettlementMethod, SettlementVersion

#: The payer of the fund's own rows in settlement.csv.
FUND_PAYER = "FUND"
#: A member's rows in settlement.csv, in this order.
MEMBER_ITEMS = ("contributions", "charged", "net", "reserve", "settlement")
#: The fund's rows in settlement.csv, in this order, after the members'.
FUND_ITEMS = ("opening_reserve", "result", "to_reserve", "closing_reserve", "settled")
#: The statement items that make a payer a member (§9.1).
MEMBER_STATEMENT_ITEMS = (CONTRIBUTION, ORIGIN, KEY)

#: A row of settlement.csv: year, payer, item, amount in cents.
SettlementRow = tuple[str, str, str, int]


@dataclass(frozen=True)
class OpeningReserve:
    """The reserve a year opens with (§9.3), and where it came from: the closing reserve
    of an earlier year's settlement (`year`, its record's SHA-256) or the rules (no year)."""

    cents: int
    year: int | None = None
    record_sha256: str | None = None

    def as_json(self) -> dict[str, Any]:
        if self.year is None:
            return {"from": "rules", "cents": self.cents}
        return {
            "from": "settlement",
            "year": self.year,
            "record_sha256": self.record_sha256,
            "cents": self.cents,
        }

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> OpeningReserve:
        if raw.get("from") == "settlement":
            return cls(int(raw["cents"]), int(raw["year"]), str(raw["record_sha256"]))
        return cls(int(raw["cents"]))


@dataclass(frozen=True)
class MemberSettlement:
    """One member's year: what it paid in, what it was charged, and how it is settled."""

    code: str
    contributions: int
    origin: int
    key: int
    reserve: int
    settlement: int

    @property
    def charged(self) -> int:
        """Herkomstdeel plus verdeelsleutel: what the fund charged the member."""
        return self.origin + self.key

    @property
    def net(self) -> int:
        """Contributions minus charged: positive when it paid in more than it used."""
        return self.contributions - self.charged

    def amounts(self) -> tuple[int, ...]:
        """The member's figures in the order of `MEMBER_ITEMS`."""
        return (self.contributions, self.charged, self.net, self.reserve, self.settlement)


@dataclass(frozen=True)
class YearSettlement:
    """The settlement of one year: every member's figures and the reserve's movement."""

    year: int
    method: SettlementMethod
    reserve_cap: int
    key: KeyVersion
    members: tuple[MemberSettlement, ...]
    opening_reserve: int
    result: int
    to_reserve: int
    closing_reserve: int

    @property
    def settled(self) -> int:
        """S = R − T: the amount settled with the members (negative: they pay in)."""
        return self.result - self.to_reserve

    def fund_amounts(self) -> tuple[int, ...]:
        """The fund's figures in the order of `FUND_ITEMS`."""
        return (
            self.opening_reserve,
            self.result,
            self.to_reserve,
            self.closing_reserve,
            self.settled,
        )

    def member(self, code: str) -> MemberSettlement:
        """The figures of one member."""
        for member in self.members:
            if member.code == code:
                return member
        raise KeyError(code)

    def rows(self) -> list[SettlementRow]:
        """The rows of settlement.csv: members by code, five items each, then the fund's."""
        year = str(self.year)
        rows = [
            (year, m.code, item, amount)
            for m in self.members
            for item, amount in zip(MEMBER_ITEMS, m.amounts(), strict=True)
        ]
        rows += [
            (year, FUND_PAYER, item, amount)
            for item, amount in zip(FUND_ITEMS, self.fund_amounts(), strict=True)
        ]
        return rows

    def check(self) -> list[tuple[str, bool]]:
        """The invariants of §9 that always hold, named (shown in the manifest)."""
        return [
            ("sum_net_is_result", sum(m.net for m in self.members) == self.result),
            (
                "sum_settlement_is_result_minus_to_reserve",
                sum(m.settlement for m in self.members) == self.result - self.to_reserve,
            ),
            ("sum_reserve_is_to_reserve", sum(m.reserve for m in self.members) == self.to_reserve),
            ("closing_reserve_within_cap", 0 <= self.closing_reserve <= self.reserve_cap),
        ]


def closing_reserve(opening: int, result: int, cap: int) -> int:
    """§9.3: the reserve after the year, min(max(O + R, 0), C)."""
    return min(max(opening + result, 0), cap)


def member_sums(rows: Iterable[StatementRow]) -> dict[str, dict[str, int]]:
    """Per payer with a contribution, origin or key row: the sum of each of those items."""
    sums: dict[str, dict[str, int]] = {}
    for row in rows:
        if row.item in MEMBER_STATEMENT_ITEMS:
            items = sums.setdefault(row.payer, dict.fromkeys(MEMBER_STATEMENT_ITEMS, 0))
            items[row.item] += row.amount_cents
    return sums


def settle_year(
    year: int,
    rows: Iterable[StatementRow],
    *,
    key: KeyVersion,
    terms: SettlementVersion,
    opening_reserve: int,
) -> YearSettlement:
    """Settle `year` from the rows of its twelve closed statements (§9).

    `key` is the key in force on 1 December of the year, `terms` the settlement
    version in force on 1 January, `opening_reserve` the closing reserve of the
    year before (or the rules' opening reserve when no year was settled yet).
    """
    sums = member_sums(rows)
    codes = sorted(set(sums) | set(key.weights))
    zero = dict.fromkeys(MEMBER_STATEMENT_ITEMS, 0)
    totals = {code: sums.get(code, zero) for code in codes}
    net = {c: t[CONTRIBUTION] - t[ORIGIN] - t[KEY] for c, t in totals.items()}
    result = sum(net.values())
    closing = closing_reserve(opening_reserve, result, terms.reserve_cap_cents)
    to_reserve = closing - opening_reserve
    reserve = _by_key(to_reserve, key.weights, codes)
    if terms.method == "balance":
        settlement = {c: net[c] - reserve[c] for c in codes}
    else:
        settlement = _by_key(result - to_reserve, key.weights, codes)
    members = tuple(
        MemberSettlement(
            code=c,
            contributions=totals[c][CONTRIBUTION],
            origin=totals[c][ORIGIN],
            key=totals[c][KEY],
            reserve=reserve[c],
            settlement=settlement[c],
        )
        for c in codes
    )
    return YearSettlement(
        year=year,
        method=terms.method,
        reserve_cap=terms.reserve_cap_cents,
        key=key,
        members=members,
        opening_reserve=opening_reserve,
        result=result,
        to_reserve=to_reserve,
        closing_reserve=closing,
    )


def _by_key(cents: int, weights: Mapping[str, Fraction], codes: Iterable[str]) -> dict[str, int]:
    """`cents` split over the key's members by the key (largest remainder); 0 for others."""
    parts = split_largest_remainder(cents, weights)
    return {code: parts.get(code, 0) for code in codes}
