"""What a run tells the person who ran it: figures equal to the statement's, JSON, lines."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path

from fundcalc.app.load import load_inputs
from fundcalc.app.run import run_period
from fundcalc.app.summary import run_summary, summary_json, summary_lines
from fundcalc.base.money import format_cents
from fundcalc.base.period import Period
from fundcalc.core.allocation import StatementRow
from tests.readback import item_total, statement
from tests.synthetic import PERIOD, Sample


def test_each_centrumgemeente_line_is_its_statement_rows(sample: Sample) -> None:
    rows = statement(sample.folder / "statement.csv")
    summary = run_summary(sample.run)
    members = sample.rules.key_for(PERIOD).members
    assert [c.code for c in summary.centrumgemeenten if c.member] == list(members)
    p = str(PERIOD)
    for c in summary.centrumgemeenten:
        contribution = rows.get((c.code, "contribution", p), 0)
        charged = rows.get((c.code, "origin", p), 0) + rows.get((c.code, "key", p), 0)
        assert (c.contribution, c.charged, c.municipal) == (
            contribution,
            charged,
            rows[(c.code, "municipal", p)],
        )
        assert c.balance == contribution - charged
    # Non-members show only where they pay something directly this month.
    assert all(c.municipal for c in summary.centrumgemeenten if not c.member)


def test_the_totals_are_the_statements_and_the_manifests(sample: Sample) -> None:
    rows = statement(sample.folder / "statement.csv")
    summary = run_summary(sample.run)
    totals = sample.run.manifest["totals_cents"]
    m = summary.month
    assert m.contributions == item_total(rows, "contribution") == totals["budget_part"]
    assert (
        m.origin + m.key == m.fund_costs == totals["fund_day_costs"] + totals["fund_availability"]
    )
    assert m.justice == item_total(rows, "justice")
    assert m.municipal == item_total(rows, "municipal")
    assert summary.days == sample.run.manifest["counts"]["days"]
    assert (summary.exceptions, summary.warnings) == (
        sample.run.manifest["counts"]["exceptions"],
        sample.run.manifest["counts"]["warnings"],
    )
    assert summary.workbook == sample.folder / "report.xlsx"


def test_json_amounts_are_cents_with_their_plain_euro_string(sample: Sample) -> None:
    document = json.loads(json.dumps(summary_json(run_summary(sample.run))))

    def amounts(node: object) -> list[dict[str, object]]:
        if isinstance(node, dict):
            if set(node) == {"cents", "euro"}:
                return [node]
            return [a for value in node.values() for a in amounts(value)]
        if isinstance(node, list):
            return [a for value in node for a in amounts(value)]
        return []

    found = amounts(document)
    # fund 8, justice 3, municipal 1, six per centrumgemeente, the corrections total 1
    assert len(found) == 8 + 3 + 1 + 6 * len(document["centrumgemeenten"]) + 1
    for a in found:
        assert isinstance(a["cents"], int)
        assert a["euro"] == format_cents(a["cents"])  # type: ignore[arg-type]


def _example_run(example: Path, out: Path):  # type: ignore[no-untyped-def]
    inputs = load_inputs(example / "rules", example / "inputs")
    return run_period(inputs, out, Period(2025, 1), date(2025, 3, 1), write=False)


def test_corrections_and_a_failing_check_get_a_line_of_their_own(
    example: Path, tmp_path: Path
) -> None:
    result = _example_run(example, tmp_path)
    plain = [label for label, _ in summary_lines(run_summary(result))]
    assert plain == ["Fund", "Justice", "Direct", "Findings", "Workbook"]
    corrected = replace(
        result,
        corrections=(
            StatementRow("2025-01", "GM0001", "key", "2024-11", -1250),
            StatementRow("2025-01", "JUSTICE", "justice", "2024-12", 500),
        ),
        settlement=replace(result.settlement, budget_part=result.settlement.budget_part + 1),
    )
    lines = dict(summary_lines(run_summary(corrected)))
    assert lines["Corrections"] == "-7.50 in 2 rows for 2024-11, 2024-12 (sheet Correcties)"
    assert lines["CHECK FAILED"] == "contributions = the month's budget part"
