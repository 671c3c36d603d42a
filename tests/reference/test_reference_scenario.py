"""Tests of the §12 scenario reference (tests/reference/scenario.py): the merge rules, the
year's totals and the comparison, on small hand-made rules and the shipped rules."""

from __future__ import annotations

import calendar
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from tests.oracle import calculate
from tests.reference.scenario import (
    ITEMS,
    JUSTICE,
    RulesDoc,
    RulesError,
    Terms,
    comparison,
    comparison_csv,
    overlay,
    rules_from_toml,
    to_oracle_scenario,
    year_totals,
)

ROOT = Path(__file__).resolve().parents[2]

RULES = """
[fund]
name = "test fund"
budget = { 2025 = "1200000.00", 2026 = "1300000.05" }

[[key]]
valid_from = 2025-01-01
weights = { GM0363 = "3", GM0599 = "2", GM0518 = "1.5" }

[[key]]
valid_from = 2026-01-01
weights = { GM0363 = "4", GM0599 = "2", GM0518 = "1" }

[[split]]
valid_from = 2025-01-01
origin_share = "0"

[[split]]
valid_from = 2026-01-01
origin_share = "0.25"

[[settlement]]
valid_from = 2025-01-01
method = "balance"
reserve_cap = "50000.00"

[cosm]
reflection_months = 3
correction_lookback_months = 24

[[lot]]
id = "FUND-A"
provider = "Provider A"
group = "LOVERBOY"
[[lot.terms]]
valid_from = 2025-01-01
places = 4
day_tariff = "200.00"
availability_tariff = "10.00"
[[lot.terms]]
valid_from = 2026-01-01
places = 5
day_tariff = "210.33"
availability_tariff = "11.00"

[[lot]]
id = "COSM-A"
provider = "Provider C"
group = "COSM"
valid_to = 2026-10-01
[[lot.terms]]
valid_from = 2025-01-01
places = 2
day_tariff = "150.00"
availability_tariff = "20.00"
"""

MUNICIPALITIES = """\
municipality_code,municipality_name,centrumgemeente_code,valid_from,valid_to,successor_code
GM0363,Amsterdam,GM0363,2015-01-01,,
GM0599,Rotterdam,GM0599,2015-01-01,,
GM0518,'s-Gravenhage,GM0518,2015-01-01,,
GM0014,Groningen,GM0014,2015-01-01,,
"""

YEAR = 2026
AS_OF = date(2026, 6, 30)


def row(pid: str, lot: str, start: str, recorded: str, **extra: str) -> dict[str, str]:
    base = {
        "placement_id": pid,
        "client_id": f"c-{pid}",
        "lot_id": lot,
        "start_date": start,
        "end_date": "",
        "brp_municipality": "",
        "found_municipality": "",
        "reflection_start": "",
        "reflection_end": "",
        "void": "",
        "recorded_on": recorded,
    }
    base.update(extra)
    return base


ROWS = [
    # open at D: stays on to the end of the year
    row("P1", "FUND-A", "2025-12-15", "2026-01-02", brp_municipality="GM0363"),
    # ended: 1 February up to (not including) 11 March = 28 + 10 days
    row(
        "P2",
        "FUND-A",
        "2026-02-01",
        "2026-03-12",
        end_date="2026-03-11",
        brp_municipality="GM0599",
    ),
    # COSM, a non-member centrumgemeente: JUSTICE in the window, MUNICIPAL after it
    row(
        "P3",
        "COSM-A",
        "2026-01-10",
        "2026-01-12",
        found_municipality="GM0014",
        reflection_start="2026-01-10",
    ),
    # recorded after D: does not exist as of D
    row("P4", "FUND-A", "2026-07-01", "2026-07-02", brp_municipality="GM0518"),
]


@pytest.fixture
def base() -> RulesDoc:
    return rules_from_toml(RULES)


def fund_day_count(doc: RulesDoc, year: int, as_of: date, since: date | None = None) -> int:
    """FUND days of the year in the oracle's day log (from `since` on)."""
    scenario = to_oracle_scenario(doc, MUNICIPALITIES, ROWS)
    count = 0
    for month in range(1, 13):
        for _pid, day, stream, _centre, _cost in calculate(scenario, year, month, as_of).day_log:
            if stream == "FUND" and (since is None or day >= since):
                count += 1
    return count


def total(rows: list[tuple[str, str, int, int, int]], items: tuple[str, ...], col: int) -> int:
    return sum(r[col] for r in rows if r[1] in items)


# --- reading the rules ---


def test_rules_are_parsed_exactly(base: RulesDoc) -> None:
    assert base.budgets == {2025: 120000000, 2026: 130000005}
    assert base.keys[0].weights == {
        "GM0363": Decimal("3"),
        "GM0599": Decimal("2"),
        "GM0518": Decimal("1.5"),
    }
    assert [s.origin_share for s in base.splits] == [Decimal("0"), Decimal("0.25")]
    assert base.settlements[0].reserve_cap_cents == 5000000
    assert base.lot("FUND-A").terms[1] == Terms(date(2026, 1, 1), 5, 21033, 1100)
    assert base.lot("COSM-A").valid_to == date(2026, 10, 1)
    assert base.lot("FUND-A").valid_to is None


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        ('day_tariff = "200.00"', 'day_tariff = "200.001"', "2 decimals"),
        ('day_tariff = "200.00"', "day_tariff = 200.0", "decimal string"),
        ('origin_share = "0.25"', 'origin_share = "1.5"', "0..1"),
        ("valid_from = 2026-01-01\nweights", "valid_from = 2026-01-02\nweights", "first day"),
        ('group = "COSM"', 'group = "OTHER"', "unknown group"),
        ("places = 4", "places = 4\nbeds = 4", "unknown key"),
        ("valid_from = 2026-01-01\nplaces = 5", "valid_from = 2024-01-01\nplaces = 5", "sorted"),
    ],
)
def test_errors_in_the_rules(old: str, new: str, problem: str) -> None:
    assert old in RULES
    with pytest.raises(RulesError, match=problem) as error:
        rules_from_toml(RULES.replace(old, new, 1))
    assert error.value.source == "arrangement.toml"


# --- the merge rules of §12 ---


def test_key_version_with_the_same_valid_from_replaces(base: RulesDoc) -> None:
    merged = overlay(
        base,
        '[[key]]\nvalid_from = 2026-01-01\nweights = { GM0363 = "1", GM0599 = "1" }\n',
    )
    assert [k.valid_from for k in merged.keys] == [date(2025, 1, 1), date(2026, 1, 1)]
    assert merged.keys[1].weights == {"GM0363": Decimal(1), "GM0599": Decimal(1)}
    assert merged.keys[0] == base.keys[0]
    assert merged.changes == ("replaces key valid from 2026-01-01",)


def test_key_version_with_a_new_valid_from_is_added_in_order(base: RulesDoc) -> None:
    merged = overlay(
        base,
        '[[key]]\nvalid_from = 2026-07-01\nweights = { GM0363 = "1", GM0014 = "1" }\n'
        '[[key]]\nvalid_from = 2025-07-01\nweights = { GM0363 = "2" }\n',
    )
    assert [k.valid_from for k in merged.keys] == [
        date(2025, 1, 1),
        date(2025, 7, 1),
        date(2026, 1, 1),
        date(2026, 7, 1),
    ]
    assert merged.keys[2] == base.keys[1]


def test_split_and_settlement_versions_replace_or_add(base: RulesDoc) -> None:
    merged = overlay(
        base,
        '[[split]]\nvalid_from = 2026-01-01\norigin_share = "0.5"\n'
        '[[split]]\nvalid_from = 2026-04-01\norigin_share = "1"\n'
        '[[settlement]]\nvalid_from = 2025-01-01\nmethod = "key"\nreserve_cap = "0"\n'
        '[[settlement]]\nvalid_from = 2027-01-01\nmethod = "balance"\nreserve_cap = "1.00"\n',
    )
    assert [(s.valid_from, s.origin_share) for s in merged.splits] == [
        (date(2025, 1, 1), Decimal("0")),
        (date(2026, 1, 1), Decimal("0.5")),
        (date(2026, 4, 1), Decimal("1")),
    ]
    assert [(s.valid_from, s.method, s.reserve_cap_cents) for s in merged.settlements] == [
        (date(2025, 1, 1), "key", 0),
        (date(2027, 1, 1), "balance", 100),
    ]


def test_budget_year_replaces_that_year_only(base: RulesDoc) -> None:
    merged = overlay(base, '[fund]\nbudget = { 2026 = "1400000.00", 2027 = "1.50" }\n')
    assert merged.budgets == {2025: 120000000, 2026: 140000000, 2027: 150}
    assert merged.fund_name == base.fund_name


def test_new_lot_is_added(base: RulesDoc) -> None:
    merged = overlay(
        base,
        '[[lot]]\nid = "NEW"\nprovider = "P"\ngroup = "STALKING"\nvalid_to = 2027-01-01\n'
        '[[lot.terms]]\nvalid_from = 2026-07-01\nplaces = 3\nday_tariff = "100"\n'
        'availability_tariff = "5.5"\n',
    )
    assert [lot.id for lot in merged.lots] == ["FUND-A", "COSM-A", "NEW"]
    new = merged.lot("NEW")
    assert (new.provider, new.group, new.valid_to) == ("P", "STALKING", date(2027, 1, 1))
    assert new.terms == (Terms(date(2026, 7, 1), 3, 10000, 550),)


def test_known_lot_terms_are_added_or_replaced_by_valid_from(base: RulesDoc) -> None:
    merged = overlay(
        base,
        '[[lot]]\nid = "FUND-A"\n'
        '[[lot.terms]]\nvalid_from = 2026-07-01\nplaces = 8\nday_tariff = "220.00"\n'
        'availability_tariff = "12.00"\n'
        '[[lot.terms]]\nvalid_from = 2026-01-01\nplaces = 6\nday_tariff = "215.00"\n'
        'availability_tariff = "11.50"\n',
    )
    lot = merged.lot("FUND-A")
    assert lot.terms == (
        base.lot("FUND-A").terms[0],
        Terms(date(2026, 1, 1), 6, 21500, 1150),
        Terms(date(2026, 7, 1), 8, 22000, 1200),
    )
    assert (lot.provider, lot.group, lot.valid_to) == ("Provider A", "LOVERBOY", None)
    assert merged.lot("COSM-A") == base.lot("COSM-A")


def test_known_lot_valid_to_is_set_or_replaced(base: RulesDoc) -> None:
    merged = overlay(
        base,
        '[[lot]]\nid = "FUND-A"\nvalid_to = 2026-09-01\n'
        '[[lot]]\nid = "COSM-A"\nprovider = "Provider C"\nvalid_to = 2027-01-01\n',
    )
    assert merged.lot("FUND-A").valid_to == date(2026, 9, 1)
    assert merged.lot("FUND-A").terms == base.lot("FUND-A").terms
    assert merged.lot("COSM-A").valid_to == date(2027, 1, 1)


def test_known_lot_may_not_change_provider_or_group(base: RulesDoc) -> None:
    with pytest.raises(RulesError, match="group"):
        overlay(base, '[[lot]]\nid = "FUND-A"\ngroup = "COSM"\n')
    with pytest.raises(RulesError, match="provider"):
        overlay(base, '[[lot]]\nid = "FUND-A"\nprovider = "Someone else"\n')
    same = overlay(base, '[[lot]]\nid = "FUND-A"\nprovider = "Provider A"\ngroup = "LOVERBOY"\n')
    assert same.lots == base.lots


def test_scenario_table_is_metadata_and_base_is_unchanged(base: RulesDoc) -> None:
    before = rules_from_toml(RULES)
    merged = overlay(
        base,
        '[scenario]\nname = "duurder"\ndescription = "Tarief omhoog"\n'
        '[fund]\nbudget = { 2026 = "1.00" }\n'
        '[[lot]]\nid = "FUND-A"\n[[lot.terms]]\nvalid_from = 2026-01-01\nplaces = 1\n'
        'day_tariff = "1"\navailability_tariff = "1"\n',
    )
    assert (merged.scenario_name, merged.scenario_description) == ("duurder", "Tarief omhoog")
    assert base == before


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("[scenario]\nname = 'x'\nauthor = 'y'\n", "unknown key"),
        ("[fund]\nbudget = { 2026 = '1.001' }\n", "2 decimals"),
        ("[[split]]\nvalid_from = 2026-02-15\norigin_share = '0.1'\n", "first day"),
        (
            "[[split]]\nvalid_from = 2026-02-01\norigin_share = '0.1'\n"
            "[[split]]\nvalid_from = 2026-02-01\norigin_share = '0.2'\n",
            "twice",
        ),
        ("[[lot]]\nid = 'NEW'\nprovider = 'p'\n", "group"),
        ("[[lot]]\nid = 'NEW'\nprovider = 'p'\ngroup = 'COSM'\n", "no terms"),
        ("[[lot]]\nid = 'FUND-A'\nvalid_to = 2024-06-01\n", "ends before"),
        ("[[settlement]]\nvalid_from = 2026-02-01\nmethod = 'key'\nreserve_cap = '1'\n", "1 Jan"),
        ("[[key]]\nvalid_from = 2026-01-01\nweights = { GM0363 = '0' }\n", "positive"),
    ],
)
def test_errors_in_the_scenario_name_the_scenario_file(
    base: RulesDoc, text: str, problem: str
) -> None:
    with pytest.raises(RulesError, match=problem) as error:
        overlay(base, text, source="wat-als.toml")
    assert error.value.source == "wat-als.toml"


# --- the year's totals ---


def test_year_totals_rows_and_figures(base: RulesDoc) -> None:
    scenario = to_oracle_scenario(base, MUNICIPALITIES, ROWS)
    totals = year_totals(scenario, YEAR, AS_OF)
    members = ("GM0363", "GM0518", "GM0599")
    expected_pairs = {(c, i) for c in members for i in ITEMS if i != "justice"}
    expected_pairs |= {(JUSTICE, "justice"), ("GM0014", "municipal")}
    assert set(totals) == expected_pairs
    assert sum(v for (_, i), v in totals.items() if i == "contribution") == 130000005
    # P1 open at D stays the whole year (365 days), P2 38 days, P4 (recorded after D) none
    assert fund_day_count(base, YEAR, AS_OF) == 365 + 38
    fund_costs = (365 + 38) * 21033 + 365 * 5 * 1100
    assert sum(v for (_, i), v in totals.items() if i in ("origin", "key")) == fund_costs
    assert totals[("GM0599", "origin")] > 0  # share 0.25 of P2's days
    assert totals[("GM0518", "origin")] == 0
    # P3: JUSTICE 10 January up to 10 April (90 days), MUNICIPAL to 1 October (lot ends)
    cosm_days = (date(2026, 10, 1) - date(2026, 1, 10)).days
    justice_days = (date(2026, 4, 10) - date(2026, 1, 10)).days
    assert totals[(JUSTICE, "justice")] == justice_days * 15000 + 273 * 2 * 2000
    assert totals[("GM0014", "municipal")] == (cosm_days - justice_days) * 15000


def test_as_of_later_includes_later_records(base: RulesDoc) -> None:
    scenario = to_oracle_scenario(base, MUNICIPALITIES, ROWS)
    early = year_totals(scenario, YEAR, AS_OF)
    late = year_totals(scenario, YEAR, date(2026, 7, 2))
    extra_days = (date(2027, 1, 1) - date(2026, 7, 1)).days
    fund = ("origin", "key")
    grown = sum(v for (_, i), v in late.items() if i in fund)
    assert grown - sum(v for (_, i), v in early.items() if i in fund) == extra_days * 21033


def test_member_of_a_later_key_version_gets_rows_for_the_year(base: RulesDoc) -> None:
    merged = overlay(
        base,
        '[[key]]\nvalid_from = 2026-11-01\nweights = { GM0363 = "1", GM0014 = "1" }\n',
    )
    totals = year_totals(to_oracle_scenario(merged, MUNICIPALITIES, ROWS), YEAR, AS_OF)
    for item in ("contribution", "origin", "key", "municipal"):
        assert ("GM0014", item) in totals
    assert totals[("GM0014", "contribution")] > 0


# --- the comparison ---


def test_identical_scenario_gives_zero_differences(base: RulesDoc) -> None:
    restated = overlay(
        base,
        '[scenario]\nname = "niets"\n'
        '[fund]\nbudget = { 2026 = "1300000.05" }\n'
        '[[key]]\nvalid_from = 2026-01-01\nweights = { GM0363 = "4", GM0599 = "2", GM0518 = "1" }\n'
        '[[lot]]\nid = "FUND-A"\n[[lot.terms]]\nvalid_from = 2026-01-01\nplaces = 5\n'
        'day_tariff = "210.33"\navailability_tariff = "11.00"\n',
    )
    for doc in (restated, overlay(base, "")):
        rows = comparison(base, doc, MUNICIPALITIES, ROWS, YEAR, AS_OF)
        assert rows
        assert all(r[4] == 0 and r[2] == r[3] for r in rows)
        assert (JUSTICE, "justice") in {(r[0], r[1]) for r in rows}


@pytest.mark.parametrize(
    ("valid_from", "since"), [("2026-01-01", None), ("2026-04-01", date(2026, 4, 1))]
)
def test_tariff_increase_raises_fund_costs_by_days_times_delta(
    base: RulesDoc, valid_from: str, since: date | None
) -> None:
    delta = 1234  # 12.34 euros a day
    scenario = overlay(
        base,
        f'[[lot]]\nid = "FUND-A"\n[[lot.terms]]\nvalid_from = {valid_from}\nplaces = 5\n'
        f'day_tariff = "{(21033 + delta) / 100:.2f}"\navailability_tariff = "11.00"\n',
    )
    rows = comparison(base, scenario, MUNICIPALITIES, ROWS, YEAR, AS_OF)
    days = fund_day_count(base, YEAR, AS_OF, since)
    assert days > 0
    fund = ("origin", "key")
    assert total(rows, fund, 3) - total(rows, fund, 2) == days * delta
    assert total(rows, fund, 4) == days * delta
    assert all(r[4] == 0 for r in rows if r[1] not in fund)


def test_new_budget_changes_only_contributions(base: RulesDoc) -> None:
    scenario = overlay(base, '[fund]\nbudget = { 2026 = "1500000.00", 2025 = "1.00" }\n')
    rows = comparison(base, scenario, MUNICIPALITIES, ROWS, YEAR, AS_OF)
    assert all(r[4] == 0 for r in rows if r[1] != "contribution")
    assert total(rows, ("contribution",), 4) == 150000000 - 130000005
    assert all(r[4] > 0 for r in rows if r[1] == "contribution")


def test_pairs_on_one_side_only_count_zero_on_the_other(base: RulesDoc) -> None:
    scenario = overlay(
        base,
        "[[key]]\nvalid_from = 2026-07-01\n"
        'weights = { GM0363 = "4", GM0599 = "2", GM0518 = "1", GM0014 = "1" }\n',
    )
    rows = comparison(base, scenario, MUNICIPALITIES, ROWS, YEAR, AS_OF)
    by_pair = {(r[0], r[1]): r[2:] for r in rows}
    assert by_pair[("GM0014", "contribution")][0] == 0
    assert by_pair[("GM0014", "contribution")][1] > 0
    assert by_pair[("GM0014", "municipal")][2] == 0  # a direct charge, whoever is a member
    assert sum(r[4] for r in rows if r[1] == "contribution") == 0


def test_comparison_order_and_csv(base: RulesDoc) -> None:
    scenario = overlay(base, '[fund]\nbudget = { 2026 = "1300001.05" }\n')
    rows = comparison(base, scenario, MUNICIPALITIES, ROWS, YEAR, AS_OF)
    assert [(r[0], r[1]) for r in rows[:5]] == [
        ("GM0014", "municipal"),
        ("GM0363", "contribution"),
        ("GM0363", "origin"),
        ("GM0363", "key"),
        ("GM0363", "municipal"),
    ]
    assert (rows[-1][0], rows[-1][1]) == (JUSTICE, "justice")
    text = comparison_csv(rows)
    lines = text.split("\n")
    assert lines[0] == "payer,item,base_cents,scenario_cents,difference_cents"
    assert lines[-1] == ""
    assert len(lines) == len(rows) + 2
    assert lines[2] == f"GM0363,contribution,{rows[1][2]},{rows[1][3]},{rows[1][4]}"
    # one euro more: 8 or 9 cents a month, each month split 4:2:1 by largest remainder
    assert total(rows, ("contribution",), 4) == 100
    assert abs(rows[1][4] - 100 * 4 / 7) <= 12


# --- realism: the shipped rules ---


def test_shipped_rules_parse_and_run() -> None:
    rules = rules_from_toml((ROOT / "rules" / "arrangement.toml").read_text(encoding="utf-8"))
    municipalities = (ROOT / "rules" / "municipalities.csv").read_text(encoding="utf-8")
    assert all(len(k.weights) == 35 for k in rules.keys)
    assert rules.budgets[2026] == 1390000000
    assert rules.lot("LOV-NOORD").valid_to == date(2026, 7, 1)
    assert [s.origin_share for s in rules.splits] == [Decimal(0), Decimal("0.25")]
    assert sum(lot.group == "COSM" for lot in rules.lots) == 2
    same = overlay(rules, '[[lot]]\nid = "LOV-NOORD"\nvalid_to = 2026-07-01\n')
    assert same.lots == rules.lots
    # an empty log: the fund's costs of the year are the fund lots' availability alone
    totals = year_totals(to_oracle_scenario(rules, municipalities, []), 2026, date(2026, 6, 30))
    availability = 0
    for lot in rules.lots:
        if lot.group == "COSM":
            continue
        for month in range(1, 13):
            for day in range(1, calendar.monthrange(2026, month)[1] + 1):
                d = date(2026, month, day)
                if lot.valid_to is not None and d >= lot.valid_to:
                    continue
                terms = [t for t in lot.terms if t.valid_from <= d]
                if terms:
                    availability += terms[-1].places * terms[-1].availability_tariff_cents
    assert sum(v for (_, i), v in totals.items() if i in ("origin", "key")) == availability
    assert len([p for p in totals if p[1] == "contribution"]) == 35


def test_oracle_scenario_renders_back_to_the_same_rules(base: RulesDoc) -> None:
    scenario = to_oracle_scenario(base, MUNICIPALITIES, ROWS)
    again = rules_from_toml(scenario.arrangement_toml())
    assert again.keys == base.keys
    assert again.splits == base.splits
    assert again.budgets == base.budgets
    assert [(lot.id, lot.group, lot.terms, lot.valid_to) for lot in again.lots] == [
        (lot.id, lot.group, lot.terms, lot.valid_to) for lot in base.lots
    ]
