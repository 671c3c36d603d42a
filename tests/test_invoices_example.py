"""End to end: the spec's worked example of §10 gives exactly its expected invoices.csv."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from fundcalc.cli import main

ROOT = Path(__file__).resolve().parent
EXAMPLE = ROOT / "data" / "invoices-january-2025"
STATEMENT_EXAMPLE = ROOT / "data" / "january-2025"


def _run(inputs: Path, out: Path, *extra: str) -> int:
    args = ["run", "--rules", str(EXAMPLE / "rules"), "--inputs", str(inputs)]
    args += ["--out", str(out), "--period", "2025-01", "--as-of", "2025-03-01", "--quiet", *extra]
    return CliRunner().invoke(main, args).exit_code


def test_worked_example_gives_the_expected_invoices_byte_for_byte(tmp_path: Path) -> None:
    assert _run(EXAMPLE / "inputs", tmp_path) == 0
    produced = (tmp_path / "2025-01" / "invoices.csv").read_bytes()
    assert produced == (EXAMPLE / "expected-invoices.csv").read_bytes()


def test_invoices_change_no_row_of_the_statement(tmp_path: Path) -> None:
    assert _run(EXAMPLE / "inputs", tmp_path / "with") == 0
    assert _run(STATEMENT_EXAMPLE / "inputs", tmp_path / "without") == 0
    with_invoices = (tmp_path / "with" / "2025-01" / "statement.csv").read_bytes()
    assert with_invoices == (tmp_path / "without" / "2025-01" / "statement.csv").read_bytes()
    assert not (tmp_path / "without" / "2025-01" / "invoices.csv").exists()


def test_strict_run_exits_1_when_an_invoice_differs(tmp_path: Path) -> None:
    assert _run(EXAMPLE / "inputs", tmp_path, "--strict") == 1
    # The outputs are written all the same: the check is what a script looks at.
    assert (tmp_path / "2025-01" / "invoices.csv").exists()


def test_strict_run_without_invoices_exits_as_today(tmp_path: Path) -> None:
    assert _run(STATEMENT_EXAMPLE / "inputs", tmp_path, "--strict") == 0


def test_manifest_names_the_invoice_files_and_the_approved_total(tmp_path: Path) -> None:
    import json

    assert _run(EXAMPLE / "inputs", tmp_path) == 0
    manifest = json.loads((tmp_path / "2025-01" / "manifest.json").read_text())
    invoices = manifest["invoices"]
    assert [f["file"] for f in invoices["files"]] == ["providers.csv"]
    assert invoices["files"][0]["rows"] == 5
    assert invoices["approved_cents"] == 23100 + 6100
    assert invoices["invoiced_cents"] == 23100 + 7100 + 2000
    assert invoices["expected_cents"] == 23600 + 6100
    assert invoices["lots"] == {
        "accepted": 0,
        "differs": 2,
        "missing": 0,
        "unknown_lot": 1,
        "rejected": 0,
    }
    assert "invoices.csv" in manifest["outputs"]
