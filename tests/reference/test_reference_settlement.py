"""The §9 reference oracle proved on the spec's worked example and on small hand cases.

The worked example (``examples/year-settlement`` in the shared spec folder) ships rules,
a log and the expected ``settlement.csv`` of 2025 and 2026, but not the 24 monthly
statements the settlements read. They are rebuilt here without ``fundcalc``: each month
2025-01 … 2026-12 is "closed" as of the 5th of the next month with ``tests.oracle`` (the
independent reference of §4), and the §6 corrections are booked by recomputing every
earlier closed month as of the new date and taking the difference from what was settled
for it so far. The example's files are embedded below so that the test needs nothing
outside the repository; when the shared folder is present, the copy is checked against it.
"""

from __future__ import annotations

import csv
import io
import tomllib
from collections import defaultdict
from datetime import date
from pathlib import Path

import pytest

from tests.oracle import LotSpec, MunicipalityRowSpec, Scenario, add_months, calculate
from tests.reference.settlement import (
    FUND,
    Row,
    chain,
    largest_remainder,
    parse_euros,
    parse_weights,
    settle,
    settle_from_rules,
    settlement_csv,
)

SHARED = Path("/work/shared/examples/year-settlement")

ARRANGEMENT = """\
[fund]
name = "tiny"
budget = { 2025 = "12000.00", 2026 = "1000.00" }
opening_reserve = "500.00"

[[key]]
valid_from = 2025-01-01
weights = { GM0001 = "1", GM0002 = "3" }

[[split]]
valid_from = 2025-01-01
origin_share = "0.5"

[cosm]
reflection_months = 3

[[settlement]]
valid_from = 2025-01-01
method = "balance"
reserve_cap = "800.00"

[[settlement]]
valid_from = 2026-01-01
method = "key"
reserve_cap = "800.00"

[[lot]]
id = "F"
provider = "p"
group = "LOVERBOY"
[[lot.terms]]
valid_from = 2025-01-01
places = 1
day_tariff = "20.00"
availability_tariff = "1.00"
"""

MUNICIPALITIES = """\
municipality_code,municipality_name,centrumgemeente_code,valid_from,valid_to,successor_code
GM0001,A,GM0001,2000-01-01,,
GM0002,B,GM0002,2000-01-01,,
"""

LOG = """\
placement_id,client_id,lot_id,start_date,end_date,brp_municipality,found_municipality,\
reflection_start,reflection_end,void,recorded_on
P1,C1,F,2025-01-01,2025-07-01,GM0001,,,,false,2025-01-02
P2,C2,F,2025-03-01,,GM0002,,,,false,2025-03-02
P2,C2,F,2025-03-01,2025-03-21,GM0002,,,,false,2025-04-10
P3,C3,F,2025-11-01,,GM0002,,,,false,2026-01-20
P3,C3,F,2025-11-01,2026-03-01,GM0002,,,,false,2026-03-02
"""

EXPECTED = {
    2025: """\
year,payer,item,amount_cents
2025,GM0001,contributions,300000
2025,GM0001,charged,240375
2025,GM0001,net,59625
2025,GM0001,reserve,7500
2025,GM0001,settlement,52125
2025,GM0002,contributions,900000
2025,GM0002,charged,198125
2025,GM0002,net,701875
2025,GM0002,reserve,22500
2025,GM0002,settlement,679375
2025,FUND,opening_reserve,50000
2025,FUND,result,761500
2025,FUND,to_reserve,30000
2025,FUND,closing_reserve,80000
2025,FUND,settled,731500
""",
    2026: """\
year,payer,item,amount_cents
2026,GM0001,contributions,25000
2026,GM0001,charged,39125
2026,GM0001,net,-14125
2026,GM0001,reserve,-20000
2026,GM0001,settlement,-24125
2026,GM0002,contributions,75000
2026,GM0002,charged,237375
2026,GM0002,net,-162375
2026,GM0002,reserve,-60000
2026,GM0002,settlement,-72375
2026,FUND,opening_reserve,80000
2026,FUND,result,-176500
2026,FUND,to_reserve,-80000
2026,FUND,closing_reserve,0
2026,FUND,settled,-96500
""",
}

STATEMENT_HEADER = "period,payer,item,for_period,amount_cents"
Statement = dict[tuple[str, str], int]


# --- the example as an oracle scenario ---


def example_scenario() -> Scenario:
    """The worked example's rules and log as a ``tests.oracle`` scenario."""
    rules = tomllib.loads(ARRANGEMENT)
    lots = [
        LotSpec(
            lot["id"],
            lot["group"],
            [
                (
                    t["valid_from"],
                    t["places"],
                    parse_euros(t["day_tariff"]),
                    parse_euros(t["availability_tariff"]),
                )
                for t in lot["terms"]
            ],
        )
        for lot in rules["lot"]
    ]
    municipalities = [
        MunicipalityRowSpec(
            r["municipality_code"],
            r["centrumgemeente_code"],
            date.fromisoformat(r["valid_from"]),
            date.fromisoformat(r["valid_to"]) if r["valid_to"] else None,
            r["successor_code"] or None,
        )
        for r in csv.DictReader(io.StringIO(MUNICIPALITIES))
    ]
    return Scenario(
        budgets={int(y): parse_euros(b) for y, b in rules["fund"]["budget"].items()},
        keys=[
            (k["valid_from"], {c: int(w) for c, w in k["weights"].items()}) for k in rules["key"]
        ],
        splits=[(s["valid_from"], s["origin_share"]) for s in rules["split"]],
        lots=lots,
        municipalities=municipalities,
        rows=list(csv.DictReader(io.StringIO(LOG))),
        reflection_months=rules["cosm"]["reflection_months"],
    )


# --- closing months with the §4 oracle and booking §6 corrections ---


def month_statement(scenario: Scenario, period: date, as_of: date) -> Statement:
    """The §5 statement of ``period`` as of ``as_of``: every member's three items, zeros too."""
    outcome = calculate(scenario, period.year, period.month, as_of)
    key = [k for valid_from, k in scenario.keys if valid_from <= period][-1]
    full: Statement = {(c, item): 0 for c in key for item in ("contribution", "origin", "key")}
    full[("JUSTICE", "justice")] = 0
    full.update(outcome.statement)
    return full


def label(period: date) -> str:
    """``YYYY-MM`` of a month's first day."""
    return f"{period.year:04d}-{period.month:02d}"


def close_months(scenario: Scenario, first: date, count: int) -> dict[str, str]:
    """Close ``count`` months from ``first`` in order (each as of the 5th of the next month).

    Returns the text of each month's ``statement.csv`` by period: its own rows plus, per §6,
    correction rows for every earlier closed month within the lookback whose figures
    changed (amount = new − settled so far, ``for_period`` = that month).
    """
    settled: dict[date, Statement] = {}
    texts: dict[str, str] = {}
    for index in range(count):
        period = add_months(first, index)
        as_of = add_months(period, 1).replace(day=5)
        lines = [STATEMENT_HEADER]
        own = month_statement(scenario, period, as_of)
        lines += [f"{label(period)},{p},{i},{label(period)},{a}" for (p, i), a in own.items()]
        for earlier in sorted(settled):
            if earlier < add_months(period, -scenario.lookback):
                continue
            now = month_statement(scenario, earlier, as_of)
            before = settled[earlier]
            for payer, item in sorted(set(now) | set(before)):
                diff = now.get((payer, item), 0) - before.get((payer, item), 0)
                if diff:
                    lines.append(f"{label(period)},{payer},{item},{label(earlier)},{diff}")
                    before[(payer, item)] = before.get((payer, item), 0) + diff
        settled[period] = own
        texts[label(period)] = "\n".join(lines) + "\n"
    return texts


@pytest.fixture(scope="module")
def statements() -> dict[int, list[str]]:
    """The 24 statements of the worked example, by year."""
    texts = close_months(example_scenario(), date(2025, 1, 1), 24)
    by_year: dict[int, list[str]] = defaultdict(list)
    for period, text in texts.items():
        by_year[int(period[:4])].append(text)
    return dict(by_year)


def rows_of(text: str) -> list[Row]:
    """``settlement.csv`` text as rows (the header checked)."""
    lines = text.splitlines()
    assert lines[0] == "year,payer,item,amount_cents"
    return [(y, p, i, int(a)) for y, p, i, a in csv.reader(lines[1:])]


def figure(rows: list[Row], payer: str, item: str) -> int:
    """The one amount of ``payer`` and ``item``."""
    (amount,) = [a for _, p, i, a in rows if p == payer and i == item]
    return amount


def check_sanity(rows: list[Row], cap: int, method: str) -> None:
    """The identities §9 promises, whatever the figures."""
    members = sorted({p for _, p, _, _ in rows if p != FUND})
    result = figure(rows, FUND, "result")
    opening = figure(rows, FUND, "opening_reserve")
    to_reserve = figure(rows, FUND, "to_reserve")
    closing = figure(rows, FUND, "closing_reserve")
    settled = figure(rows, FUND, "settled")
    assert sum(figure(rows, c, "settlement") for c in members) == result - to_reserve == settled
    assert sum(figure(rows, c, "reserve") for c in members) == to_reserve
    assert sum(figure(rows, c, "net") for c in members) == result
    assert 0 <= closing <= cap
    assert closing == opening + to_reserve
    for c in members:
        assert figure(rows, c, "net") == figure(rows, c, "contributions") - figure(
            rows, c, "charged"
        )
        if method == "balance":
            assert figure(rows, c, "settlement") + figure(rows, c, "reserve") == figure(
                rows, c, "net"
            )


# --- the worked example ---


def test_embedded_example_is_the_shared_one() -> None:
    """The copy in this file is the spec's example, when the shared folder is at hand."""
    if not SHARED.is_dir():
        pytest.skip("the shared spec folder is not present")
    assert (SHARED / "rules" / "arrangement.toml").read_text() == ARRANGEMENT
    assert (SHARED / "rules" / "municipalities.csv").read_text() == MUNICIPALITIES
    assert (SHARED / "inputs" / "placements" / "a.csv").read_text() == LOG
    for year, text in EXPECTED.items():
        assert (SHARED / f"expected-settlement-{year}.csv").read_text() == text


def test_rebuilt_statements_book_the_readme_corrections(statements: dict[int, list[str]]) -> None:
    """The statements rebuilt hold the corrections the README describes."""
    april = statements[2025][3]
    assert "2025-04,GM0002,origin,2025-03,-11000" in april
    assert "2025-04,GM0001,key,2025-03,-2750" in april
    assert "2025-04,GM0002,key,2025-03,-8250" in april
    january = statements[2026][0]
    assert "2026-01,GM0002,origin,2025-11,30000" in january
    assert "2026-01,GM0002,origin,2025-12,31000" in january


@pytest.mark.parametrize("year", [2025, 2026])
def test_worked_example_settles_as_expected(statements: dict[int, list[str]], year: int) -> None:
    """``chain`` over the rebuilt statements gives both expected ``settlement.csv`` files."""
    settled = chain(ARRANGEMENT, statements)
    assert sorted(rows_of(settlement_csv(settled[year]))) == sorted(rows_of(EXPECTED[year]))
    check_sanity(settled[year], 80_000, "balance" if year == 2025 else "key")


def test_settlement_csv_is_in_the_documented_order(statements: dict[int, list[str]]) -> None:
    """Members by code with their five items, then the fund: the order of the example too."""
    rows = settle_from_rules(ARRANGEMENT, statements[2025], 2025, None)
    assert settlement_csv(rows) == EXPECTED[2025]


def test_settle_from_rules_opening_reserve_given_overrides_the_fund(
    statements: dict[int, list[str]],
) -> None:
    """An opening reserve given (an earlier settlement) replaces ``[fund] opening_reserve``."""
    rows = settle_from_rules(ARRANGEMENT, statements[2026], 2026, 80_000)
    assert sorted(rows) == sorted(rows_of(EXPECTED[2026]))
    fresh = settle_from_rules(ARRANGEMENT, statements[2026], 2026, None)
    assert figure(fresh, FUND, "opening_reserve") == 50_000
    assert figure(fresh, FUND, "closing_reserve") == 0


# --- small hand cases ---


def statement(period: str, rows: list[tuple[str, str, int]]) -> str:
    """A statement text of ``period`` from (payer, item, cents), ``for_period`` = period."""
    lines = [STATEMENT_HEADER] + [f"{period},{p},{i},{period},{a}" for p, i, a in rows]
    return "\n".join(lines) + "\n"


def year_of(rows_by_month: dict[int, list[tuple[str, str, int]]], year: int = 2030) -> list[str]:
    """Twelve statements of ``year``; months not given hold a zero contribution of GM0001."""
    return [
        statement(f"{year}-{m:02d}", rows_by_month.get(m, [("GM0001", "contribution", 0)]))
        for m in range(1, 13)
    ]


def test_largest_remainder_ties_go_to_the_lower_code_and_negatives_mirror() -> None:
    """§4.8: floor, leftover cents by largest remainder, ties to the lower code."""
    key = parse_weights({"GM0003": "1", "GM0001": "1", "GM0002": "1"})
    assert largest_remainder(100, key) == {"GM0001": 34, "GM0002": 33, "GM0003": 33}
    assert largest_remainder(-100, key) == {"GM0001": -34, "GM0002": -33, "GM0003": -33}
    uneven = parse_weights({"GM0001": "0.1", "GM0002": "0.25"})
    assert largest_remainder(7, uneven) == {"GM0001": 2, "GM0002": 5}


def test_parse_euros_is_exact_and_strict() -> None:
    """Euro strings become cents exactly; a third decimal is refused."""
    assert parse_euros("12500000.00") == 1_250_000_000
    assert parse_euros("0.1") == 10
    assert parse_euros("-1.05") == -105
    with pytest.raises(ValueError):
        parse_euros("1.005")


def test_a_payer_outside_the_december_key_gets_no_reserve_and_no_key_settlement() -> None:
    """§9.1/§9.4/§9.5: GM0009 has statement rows but left the key; it is a member all the same."""
    texts = year_of(
        {
            1: [("GM0001", "contribution", 1000), ("GM0009", "contribution", 500)],
            2: [("GM0009", "key", 200), ("GM0001", "origin", 100), ("JUSTICE", "justice", 99)],
        }
    )
    weights = {"GM0001": "1", "GM0002": "1"}
    balance = settle(texts, 2030, weights, "balance", 100, 0)
    check_sanity(balance, 100, "balance")
    assert figure(balance, "GM0009", "net") == 300
    assert figure(balance, "GM0009", "reserve") == 0
    assert figure(balance, "GM0009", "settlement") == 300
    assert figure(balance, "GM0002", "contributions") == 0
    assert figure(balance, "GM0002", "reserve") == 50
    assert figure(balance, FUND, "result") == 1200
    assert figure(balance, FUND, "closing_reserve") == 100
    assert not [r for r in balance if r[1] == "JUSTICE"]
    by_key = settle(texts, 2030, weights, "key", 100, 0)
    check_sanity(by_key, 100, "key")
    assert figure(by_key, "GM0009", "settlement") == 0
    assert figure(by_key, "GM0001", "settlement") == figure(by_key, "GM0002", "settlement") == 550


def test_corrections_for_other_years_count_in_the_year_they_are_booked() -> None:
    """§9: every row of the year's statements counts, whatever its ``for_period``."""
    texts = year_of({1: [("GM0001", "contribution", 0)]})
    texts[0] += "2030-01,GM0001,origin,2029-12,250\n"
    rows = settle(texts, 2030, {"GM0001": "1"}, "balance", 0, 0)
    assert figure(rows, "GM0001", "charged") == 250
    assert figure(rows, FUND, "result") == -250


def test_the_reserve_absorbs_up_to_the_cap_and_is_drawn_down_to_zero() -> None:
    """§9.3: closing = min(max(O + R, 0), C); T = closing − O; S = R − T."""
    gain = year_of({1: [("GM0001", "contribution", 1000)]})
    rows = settle(gain, 2030, {"GM0001": "1"}, "key", 10_000, 300)
    assert figure(rows, FUND, "closing_reserve") == 1300
    assert figure(rows, FUND, "settled") == 0
    loss = year_of({1: [("GM0001", "key", 1000)]})
    rows = settle(loss, 2030, {"GM0001": "1"}, "key", 10_000, 300)
    assert figure(rows, FUND, "to_reserve") == -300
    assert figure(rows, "GM0001", "settlement") == -700


def test_the_versions_in_force_are_read_from_the_rules() -> None:
    """Settlement version on 1 January, key on 1 December (a key changed in June applies)."""
    toml = (
        ARRANGEMENT.replace(
            "[[split]]\n",
            '[[key]]\nvalid_from = 2030-06-01\nweights = { GM0001 = "1", GM0002 = "1" }\n\n'
            "[[split]]\n",
        )
        + '\n[[settlement]]\nvalid_from = 2031-01-01\nmethod = "balance"\nreserve_cap = "0"\n'
    )
    texts = year_of({1: [("GM0001", "contribution", 1001)]})
    rows = settle_from_rules(toml, texts, 2030, 0)  # the 2026 version: key, cap € 800
    assert figure(rows, FUND, "closing_reserve") == 1001
    assert figure(rows, "GM0001", "reserve") == 501
    assert figure(rows, "GM0002", "reserve") == 500
    assert figure(rows, "GM0001", "settlement") == figure(rows, "GM0002", "settlement") == 0
    later = settle_from_rules(toml, year_of({1: [("GM0001", "contribution", 1001)]}, 2031), 2031, 0)
    assert figure(later, FUND, "closing_reserve") == 0  # the 2031 version: balance, cap 0
    assert figure(later, "GM0001", "settlement") == 1001
    assert figure(later, "GM0002", "settlement") == 0


def test_statements_of_the_wrong_year_or_a_missing_month_are_refused() -> None:
    """The settlement reads exactly the statements of Y-01 … Y-12."""
    texts = year_of({})
    with pytest.raises(ValueError):
        settle(texts[:11], 2030, {"GM0001": "1"}, "key", 0, 0)
    with pytest.raises(ValueError):
        settle(texts, 2031, {"GM0001": "1"}, "key", 0, 0)
    with pytest.raises(ValueError):
        settle(texts, 2030, {"GM0001": "1"}, "neither", 0, 0)
