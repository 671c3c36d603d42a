"""scenario.xlsx read back: the change in words, the fund, members, lots, months, year end."""

from __future__ import annotations

from datetime import date

import pytest

from fundcalc.core.versions import versions_as_of
from fundcalc.core.year import YearOutcome, charged, year_end, year_outcome
from fundcalc.inputs.arrangement import read_document, rules_from_document
from fundcalc.inputs.rules import ARRANGEMENT_FILE
from fundcalc.inputs.scenario import overlay
from fundcalc.report.workbook.scenario import (
    SHEET_NAMES,
    ScenarioOutcome,
    render_scenario_workbook,
)
from tests.readback import body, cents, load, table
from tests.synthetic import Sample

AS_OF = date(2026, 6, 30)
OVERLAY = """
[scenario]
name = "ruimer"
description = "Twee plaatsen meer op LOV-ZUID en een hoger tarief"
[[lot]]
id = "LOV-ZUID"
[[lot.terms]]
valid_from = 2026-07-01
places = 10
day_tariff = "240.00"
availability_tariff = "39.50"
[fund]
budget = { 2026 = "4400000.00" }
"""


def _outcomes(sample: Sample, *, settles: bool) -> tuple[YearOutcome, ScenarioOutcome]:
    """The synthetic rules (with a settlement version for 2026 and an opening reserve of
    20,000 euros when `settles`) and the overlay laid over them, both over 2026."""
    root = sample.folder.parent.parent
    document = read_document((root / "rules" / ARRANGEMENT_FILE).read_bytes())
    if settles:
        document["fund"]["opening_reserve"] = "20000.00"
        document["settlement"] = [
            {"valid_from": date(2026, 1, 1), "method": "balance", "reserve_cap": "100000.00"}
        ]
    rules = rules_from_document(document, sample.rules.municipalities)
    scenario = overlay(rules, document, OVERLAY.encode(), file="ruimer.toml", default_name="x")
    versions = versions_as_of(sample.inputs.log.rows, AS_OF)
    return (
        year_outcome(rules, versions, 2026, AS_OF),
        ScenarioOutcome(scenario, year_outcome(scenario.rules, versions, 2026, AS_OF)),
    )


@pytest.fixture(scope="module")
def settled(sample: Sample) -> tuple[YearOutcome, ScenarioOutcome]:
    return _outcomes(sample, settles=True)


def test_every_sheet_is_there_and_no_cell_is_a_formula(
    settled: tuple[YearOutcome, ScenarioOutcome],
) -> None:
    base, scenario = settled
    book = load(render_scenario_workbook(base, [scenario]))
    assert tuple(book.sheetnames) == SHEET_NAMES
    cells = [c for ws in book for row in ws.iter_rows() for c in row if c.value is not None]
    assert not [c for c in cells if c.data_type == "f"]


def test_the_change_is_told_in_words_beside_what_the_rules_have(
    settled: tuple[YearOutcome, ScenarioOutcome],
) -> None:
    base, scenario = settled
    ws = load(render_scenario_workbook(base, [scenario]))["Wijziging"]
    rows = table(ws, "Wat")
    assert [(r["Wat"], r["Nu in de regels"], r["In het scenario"], r["Actie"]) for r in rows] == [
        ("Begroting 2026", "€ 4.300.000,00", "€ 4.400.000,00", "vervangt"),
        (
            "Perceel LOV-ZUID: voorwaarden",
            "8 plaatsen, dagtarief € 229,95, beschikbaarheid € 39,50 per plaats per dag",
            "10 plaatsen, dagtarief € 240,00, beschikbaarheid € 39,50 per plaats per dag",
            "voegt toe",
        ),
    ]
    assert ws["A4"].value == ("Scenario ruimer: Twee plaatsen meer op LOV-ZUID en een hoger tarief")


def test_fund_and_members_side_by_side_with_the_difference(
    settled: tuple[YearOutcome, ScenarioOutcome],
) -> None:
    base, scenario = settled
    book = load(render_scenario_workbook(base, [scenario]))
    fund = {r["Onderdeel"]: r for r in table(book["Fonds"], "Onderdeel")}
    costs = fund["Kosten van het fonds"]
    assert cents(costs["Huidige regels"]) == base.fund_costs
    assert cents(costs["ruimer"]) == scenario.outcome.fund_costs
    assert cents(costs["Verschil ruimer"]) == scenario.outcome.fund_costs - base.fund_costs > 0
    assert cents(fund["Bijdragen centrumgemeenten"]["Verschil ruimer"]) == 10_000_000
    members = list(body(table(book["Centrumgemeenten"], "Code"), "Code"))
    before, after = charged(base), charged(scenario.outcome)
    for r in members:
        code = str(r["Code"])
        assert cents(r["Ten laste (huidige regels)"]) == before.get(code, 0)
        assert cents(r["Ten laste (ruimer)"]) == after.get(code, 0)
    assert {r["Betaalt (ruimer)"] for r in members if r["Code"] in before} == {"meer"}


def test_lots_show_places_occupancy_and_cost_both_ways(
    settled: tuple[YearOutcome, ScenarioOutcome],
) -> None:
    base, scenario = settled
    ws = load(render_scenario_workbook(base, [scenario]))["Percelen"]
    (lot,) = [r for r in table(ws, "Aanbieder") if r["Perceel"] == "LOV-ZUID"]
    assert lot["Plaatsen (huidige regels)"] == 8
    assert lot["Plaatsen (ruimer)"] == pytest.approx((181 * 8 + 184 * 10) / 365, abs=0.05)
    assert lot["Bezette dagen (huidige regels)"] == lot["Bezette dagen (ruimer)"]
    (before,) = [x for x in base.lots if x.lot_id == "LOV-ZUID"]
    (after,) = [x for x in scenario.outcome.lots if x.lot_id == "LOV-ZUID"]
    assert cents(lot["Verschil kosten (ruimer)"]) == after.cost - before.cost > 0


def test_months_have_both_cost_lines_and_a_chart(
    settled: tuple[YearOutcome, ScenarioOutcome],
) -> None:
    base, scenario = settled
    ws = load(render_scenario_workbook(base, [scenario]))["Maanden"]
    rows = list(body(table(ws, "Maand"), "Maand"))
    assert [r["Maand"] for r in rows][:2] == ["jan 2026", "feb 2026"]
    assert cents(rows[5]["Verschil (ruimer)"]) == 0  # June: before the change
    assert cents(rows[6]["Verschil (ruimer)"]) > 0  # July: the new terms
    assert len(ws._charts) == 1


def test_the_year_end_shows_result_reserve_and_settlements(
    settled: tuple[YearOutcome, ScenarioOutcome],
) -> None:
    base, scenario = settled
    ws = load(render_scenario_workbook(base, [scenario]))["Jaarafrekening"]
    rows = {r["Onderdeel"]: r for r in table(ws, "Onderdeel")}
    before, after = year_end(base), year_end(scenario.outcome)
    assert before is not None and after is not None
    result = rows["Resultaat: bijdragen − ten laste"]
    assert (cents(result["Huidige regels"]), cents(result["ruimer"])) == (
        before.result,
        after.result,
    )
    assert cents(rows["Reserve bij aanvang (uit de regels)"]["ruimer"]) == 2_000_000
    assert cents(rows["Te verrekenen met de leden"]["Verschil ruimer"]) == (
        after.settled - before.settled
    )


def test_no_year_end_sheet_without_a_settlement_version(sample: Sample) -> None:
    base, scenario = _outcomes(sample, settles=False)
    book = load(render_scenario_workbook(base, [scenario]))
    assert "Jaarafrekening" not in book.sheetnames
    assert len(book.sheetnames) == len(SHEET_NAMES) - 1
