"""The year-end settlement (§9) against the independent reference, to the cent."""

from __future__ import annotations

import csv
import io
from datetime import date
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from fundcalc.core.allocation import StatementRow
from fundcalc.core.settlement import closing_reserve, settle_year
from fundcalc.inputs.rules import KeyVersion, SettlementVersion
from tests.reference import settlement as reference

YEAR = 2030
CODES = ("GM0001", "GM0002", "GM0003", "GM0004")


def key(weights: dict[str, int]) -> KeyVersion:
    return KeyVersion(date(YEAR, 12, 1), {c: Fraction(w) for c, w in sorted(weights.items())})


def terms(method: str, cap: int) -> SettlementVersion:
    return SettlementVersion(date(YEAR, 1, 1), method, cap)  # type: ignore[arg-type]


def statement_texts(rows: list[StatementRow]) -> list[str]:
    """The twelve statements as the reference reads them (every month has a row)."""
    texts = []
    for month in range(1, 13):
        period = f"{YEAR}-{month:02d}"
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(reference.STATEMENT_COLUMNS)
        writer.writerow((period, "JUSTICE", "justice", period, 0))
        writer.writerows(r for r in rows if r[0] == period)
        texts.append(out.getvalue())
    return texts


amounts = st.integers(-5_000_000, 5_000_000)
statement_rows = st.lists(
    st.tuples(
        st.integers(1, 12),
        st.sampled_from((*CODES, "GM0009")),
        st.sampled_from(("contribution", "origin", "key", "municipal")),
        st.integers(2028, 2030),
        amounts,
    ).map(
        lambda t: StatementRow(
            f"{YEAR}-{t[0]:02d}",
            t[1],
            t[2],
            f"{t[3]}-{t[0]:02d}" if t[3] < YEAR else f"{YEAR}-{t[0]:02d}",
            t[4],
        )
    ),
    max_size=40,
)
weights = st.dictionaries(st.sampled_from(CODES), st.integers(1, 10_000), min_size=1)


@given(
    rows=statement_rows,
    weights=weights,
    method=st.sampled_from(("balance", "key")),
    cap=st.integers(0, 3_000_000),
    opening=st.integers(0, 3_000_000),
)
def test_the_settlement_is_the_reference_to_the_cent(
    rows: list[StatementRow], weights: dict[str, int], method: str, cap: int, opening: int
) -> None:
    ours = settle_year(
        YEAR, rows, key=key(weights), terms=terms(method, cap), opening_reserve=opening
    )
    theirs = reference.settle(
        statement_texts(rows),
        YEAR,
        {c: str(w) for c, w in weights.items()},
        method,
        cap,
        opening,
    )
    assert ours.rows() == theirs


@given(
    rows=statement_rows,
    weights=weights,
    method=st.sampled_from(("balance", "key")),
    cap=st.integers(0, 3_000_000),
    opening=st.integers(0, 3_000_000),
)
def test_the_members_settle_the_result_less_what_the_reserve_keeps(
    rows: list[StatementRow], weights: dict[str, int], method: str, cap: int, opening: int
) -> None:
    s = settle_year(YEAR, rows, key=key(weights), terms=terms(method, cap), opening_reserve=opening)
    assert sum(m.settlement for m in s.members) == s.result - s.to_reserve == s.settled
    assert 0 <= s.closing_reserve <= cap
    assert s.closing_reserve == opening + s.to_reserve
    assert sum(m.reserve for m in s.members) == s.to_reserve
    assert all(holds for _, holds in s.check())
    if method == "balance":
        assert all(m.settlement + m.reserve == m.net for m in s.members)


@given(
    opening=st.integers(0, 10**9), result=st.integers(-(10**9), 10**9), cap=st.integers(0, 10**9)
)
def test_the_closing_reserve_stays_between_zero_and_the_cap(
    opening: int, result: int, cap: int
) -> None:
    closing = closing_reserve(opening, result, cap)
    assert 0 <= closing <= cap
    assert closing == reference.closing_reserve(opening, result, cap)


def test_a_surplus_fills_the_reserve_to_its_cap_and_returns_the_rest_by_balance() -> None:
    rows: list[StatementRow] = [
        StatementRow(f"{YEAR}-01", "GM0001", "contribution", f"{YEAR}-01", 10_000),
        StatementRow(f"{YEAR}-01", "GM0002", "contribution", f"{YEAR}-01", 30_000),
        StatementRow(f"{YEAR}-01", "GM0001", "origin", f"{YEAR}-01", 1_000),
        StatementRow(f"{YEAR}-01", "GM0002", "key", f"{YEAR}-01", 3_001),
    ]
    s = settle_year(
        YEAR, rows, key=key({"GM0001": 1, "GM0002": 3}), terms=terms("balance", 5_000),
        opening_reserve=2_000,
    )  # fmt: skip
    assert (s.result, s.to_reserve, s.closing_reserve, s.settled) == (35_999, 3_000, 5_000, 32_999)
    assert [(m.code, m.net, m.reserve, m.settlement) for m in s.members] == [
        ("GM0001", 9_000, 750, 8_250),
        ("GM0002", 26_999, 2_250, 24_749),
    ]


def test_a_deficit_empties_the_reserve_and_charges_the_rest_by_key() -> None:
    rows: list[StatementRow] = [
        StatementRow(f"{YEAR}-03", "GM0002", "origin", f"{YEAR - 1}-11", 10_001)
    ]
    s = settle_year(
        YEAR, rows, key=key({"GM0001": 1, "GM0002": 3}), terms=terms("key", 5_000),
        opening_reserve=4_000,
    )  # fmt: skip
    assert (s.result, s.to_reserve, s.closing_reserve, s.settled) == (-10_001, -4_000, 0, -6_001)
    assert [(m.code, m.reserve, m.settlement) for m in s.members] == [
        ("GM0001", -1_000, -1_500),
        ("GM0002", -3_000, -4_501),
    ]


def test_a_payer_outside_the_december_key_is_a_member_without_reserve_or_key_settlement() -> None:
    rows: list[StatementRow] = [
        StatementRow(f"{YEAR}-02", "GM0009", "contribution", f"{YEAR}-02", 700)
    ]
    s = settle_year(YEAR, rows, key=key({"GM0001": 1}), terms=terms("key", 0), opening_reserve=0)
    assert [(m.code, m.net, m.reserve, m.settlement) for m in s.members] == [
        ("GM0001", 0, 0, 700),
        ("GM0009", 700, 0, 0),
    ]
