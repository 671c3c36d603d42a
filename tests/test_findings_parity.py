"""`validate --period P` and `run --period P` report the same findings (§7; issue 23, item 6).

Before, validate of the sample's October said 7 exceptions and run 5: the
conflicting versions of PL-2025-002898 and the end before the start of
PL-X-000006 (stays that cannot be placed in a month) were in neither
exceptions.csv nor the workbook.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

from click.testing import CliRunner

from fundcalc.app.validate import validate_inputs
from fundcalc.cli import main
from tests.conftest import ROOT
from tests.synthetic import AS_OF, PERIOD, write_hostile


def _shape(reason: str) -> str:
    """A reason with its particulars (file:line, dates, codes) blanked, to count by kind."""
    return re.sub(r"'[^']*'|\([^)]*\)|\d[\d-]*", "…", reason)


def run_findings(rules: Path, inputs: Path, out: Path) -> Counter[tuple[str, str]]:
    args = ["run", "--rules", str(rules), "--inputs", str(inputs), "--out", str(out), "-q"]
    args += ["--period", str(PERIOD), "--as-of", str(AS_OF)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    with (out / str(PERIOD) / "exceptions.csv").open(encoding="utf-8-sig") as stream:
        sep = ";" if ";" in stream.readline() else ","
        stream.seek(0)
        return Counter(
            (r["kind"], _shape(r["reason"])) for r in csv.DictReader(stream, delimiter=sep)
        )


def validate_findings(rules: Path, inputs: Path) -> Counter[tuple[str, str]]:
    report = validate_inputs(rules.parent / rules.name, inputs, PERIOD, AS_OF)
    return Counter(
        (kind, _shape(reason))
        for kind, reason in report.findings.select("kind", "reason").iter_rows()
    )


def test_validate_and_run_count_the_same_findings_per_reason_on_the_hostile_log(
    tmp_path: Path,
) -> None:
    rules, inputs = write_hostile(tmp_path / "hostile")
    ran = run_findings(rules, inputs, tmp_path / "out")
    validated = validate_findings(rules, inputs)
    assert ran == validated
    assert sum(ran.values()) > 10  # the hostile log has many kinds of bad rows


def test_the_samples_conflict_and_end_before_start_are_in_the_run_of_october(
    tmp_path: Path,
) -> None:
    rules, inputs = ROOT / "rules", ROOT / "inputs"
    ran = run_findings(rules, inputs, tmp_path / "out")
    assert ran == validate_findings(rules, inputs)
    text = (tmp_path / "out" / str(PERIOD) / "exceptions.csv").read_text(encoding="utf-8-sig")
    assert "PL-2025-002898;conflicting versions recorded on the same day" in text
    assert "PL-X-000006;end_date before start_date" in text
    assert sum(n for (kind, _), n in ran.items() if kind == "exception") == 7
