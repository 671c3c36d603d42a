"""`fundcalc explain` shows a placement's verdicts of the eligibility check and what moved."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from fundcalc.cli import main
from tests.closing_case import deliver, write_case

STAY = {
    "placement_id": "P1",
    "client_id": "c1",
    "lot_id": "F",
    "start_date": "2025-01-11",
    "brp_municipality": "GM0001",
    "recorded_on": "2025-02-01",
}


def _explain(root: Path, as_of: str) -> str:
    result = CliRunner().invoke(
        main,
        [
            "explain",
            "--period",
            "2025-01",
            "--placement",
            "P1",
            "--rules",
            str(root / "rules"),
            "--inputs",
            str(root / "inputs"),
            "--as-of",
            as_of,
        ],
    )
    assert result.exit_code == 0, result.output
    return result.output


def test_explain_shows_the_verdict_in_force_and_the_days_it_moved(tmp_path: Path) -> None:
    root = write_case(tmp_path)
    deliver(root, "2025-02.csv", STAY)
    (root / "inputs" / "eligibility").mkdir()
    (root / "inputs" / "eligibility" / "v.csv").write_text(
        "placement_id,eligible,decided_on,reference\n"
        "P1,ja,2025-02-01,TC-1\n"
        "P1,nee,2025-02-10,TC-2\n"
        "P1,ja,2025-03-01,TC-3\n"
    )
    output = _explain(root, "2025-02-15")
    assert "eligibility/v.csv:2  decided 2025-02-01  eligible ja  reference TC-1  superseded" in (
        output
    )
    assert "eligibility/v.csv:3  decided 2025-02-10  eligible nee  reference TC-2  in force" in (
        output
    )
    assert "reference TC-3  decided after the as-of date" in output
    assert "  moved in 2025-01: 21 days, € 2 100.00 to GM0001" in output
    assert "judged not eligible (toetsing): paid directly by GM0001" in output
    assert "(MUNICIPAL 2 100.00)" in output
    later = _explain(root, "2025-03-05")
    assert "In force: eligible (ja)" in later
    assert "(FUND 2 100.00)" in later


def test_validate_lists_the_verdicts_that_cannot_be_read_or_conflict(tmp_path: Path) -> None:
    root = write_case(tmp_path)
    deliver(root, "2025-02.csv", STAY)
    (root / "inputs" / "eligibility").mkdir()
    (root / "inputs" / "eligibility" / "v.csv").write_text(
        "placement_id,eligible,decided_on,reference\nP1,ja,2025-02-01,\nP1,nee,2025-02-01,\n"
        "P1,wellicht,2025-02-02,\n"
    )
    result = CliRunner().invoke(
        main,
        [
            "validate",
            "--rules",
            str(root / "rules"),
            "--inputs",
            str(root / "inputs"),
            "--as-of",
            "2025-02-15",
        ],
    )
    assert result.exit_code == 1
    assert "eligible 'wellicht' is not ja/nee, true/false or 1/0" in result.output
    assert "conflicting verdicts decided on the same day (2025-02-01)" in result.output
