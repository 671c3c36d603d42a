"""End to end: `fundcalc run` writes report.xlsx, the manifest hashes it, runs repeat exactly."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from click.testing import CliRunner

from fundcalc.cli import main
from fundcalc.report.render import MANIFEST, REPORT
from tests.readback import cents, load, table
from tests.synthetic import write_sample


def _run(rules: Path, inputs: Path, out: Path, period: str, as_of: str) -> Path:
    args = ["run", "--rules", str(rules), "--inputs", str(inputs), "--out", str(out)]
    result = CliRunner().invoke(main, [*args, "--period", period, "--as-of", as_of])
    assert result.exit_code == 0, result.output
    return out / period


def test_the_worked_example_workbook_shows_the_expected_figures(
    example: Path, tmp_path: Path
) -> None:
    folder = _run(example / "rules", example / "inputs", tmp_path, "2025-01", "2025-03-01")
    workbook = load((folder / REPORT).read_bytes())
    summary = {
        r["Onderdeel"]: r["januari 2025"] for r in table(workbook["Samenvatting"], "Onderdeel")
    }
    # The figures of tests/data/january-2025/README.md, in cents.
    assert cents(summary["Bijdragen centrumgemeenten"]) == 10000
    assert cents(summary["Kosten van het fonds"]) == 2000 + 1000 + 3100
    assert cents(summary["Herkomstdeel (eigen cliënten)"]) == 1000 + 500
    assert cents(summary["Verdeelsleutel"]) == 1533 + 3067
    assert cents(summary["Te betalen door Justitie"]) == 20100
    assert cents(summary["Kosten na de bedenktijd"]) == 3500
    centrumgemeenten = {r["Code"]: r for r in table(workbook["Centrumgemeenten"], "Code")}
    assert cents(centrumgemeenten["GM0002"]["Verdeelsleutel jan 2025"]) == 3067
    assert cents(centrumgemeenten["GM0002"]["Saldo jan 2025"]) == 6667 - 500 - 3067


def test_the_manifest_lists_the_workbook_and_two_runs_give_the_same_bytes(
    tmp_path: Path,
) -> None:
    rules, inputs = write_sample(tmp_path / "data")
    one = _run(rules, inputs, tmp_path / "one", "2026-10", "2026-11-23")
    two = _run(rules, inputs, tmp_path / "two", "2026-10", "2026-11-23")
    manifest = json.loads((one / MANIFEST).read_text())
    report = (one / REPORT).read_bytes()
    assert manifest["outputs"][REPORT] == hashlib.sha256(report).hexdigest()
    assert sorted(p.name for p in one.iterdir()) == sorted(p.name for p in two.iterdir())
    for path in one.iterdir():
        assert path.read_bytes() == (two / path.name).read_bytes(), path.name
