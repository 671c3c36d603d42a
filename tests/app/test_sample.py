"""`fundcalc sample`: the seed from the archive, the files, and the workbook coming back."""

from __future__ import annotations

import hashlib
import io
import json
from datetime import date
from pathlib import Path

import openpyxl
import polars as pl

from tests import oracle
from tests.closing_case import deliver, fundcalc, scenario, statement, write_case
from tests.reference import eligibility as reference

ROWS = [
    {
        "placement_id": f"P{i}",
        "client_id": f"CL-{i}",
        "lot_id": "F",
        "start_date": f"2025-01-{i + 1:02d}",
        "end_date": "" if i % 3 else f"2025-02-{i + 1:02d}",
        "brp_municipality": "GM0001" if i % 2 else "GM0002",
        "recorded_on": "2025-02-01",
    }
    for i in range(12)
]


def _sample(root: Path, *args: str):  # type: ignore[no-untyped-def]
    return fundcalc(
        root, "sample", "--rules", str(root / "rules"), "--inputs", str(root / "inputs"), *args
    )


def test_without_a_closed_month_of_the_year_there_is_no_seed(tmp_path: Path) -> None:
    root = write_case(tmp_path)
    deliver(root, "2025-02.csv", *ROWS)
    result = _sample(root, "--year", "2025", "--size", "3", "--as-of", "2025-02-05")
    assert result.exit_code == 2
    assert "no month of 2025 is closed" in result.output
    assert not (root / "outputs").exists() or not list((root / "outputs").glob("sample-*"))


def test_the_seed_is_the_sha256_of_the_last_closed_statement_and_the_sample_the_reference(
    tmp_path: Path,
) -> None:
    root = write_case(tmp_path)
    deliver(root, "2025-02.csv", *ROWS)
    assert fundcalc(root, "close", "--period", "2025-01", "--as-of", "2025-02-05").exit_code == 0
    result = _sample(root, "--year", "2025", "--size", "5", "--as-of", "2025-02-05")
    assert result.exit_code == 0, result.output
    seed = reference.default_seed((root / "outputs" / "2025-01" / "statement.csv").read_bytes())
    assert f"Seed      {seed}" in result.output
    folder = root / "outputs" / reference.sample_folder(2025, seed)
    case = scenario()
    case.rows = ROWS
    expected = reference.draw(case, 2025, 5, seed, date(2025, 2, 5))
    assert (folder / "sample.csv").read_text() == reference.sample_csv(expected)
    manifest = json.loads((folder / "manifest.json").read_text())
    assert (manifest["seed"], manifest["size"], manifest["population"]) == (seed, 5, 12)
    population = pl.read_csv(folder / "population.csv")
    assert population["rank"].to_list() == sorted(
        hashlib.sha256(f"{seed}:P{i}".encode()).hexdigest() for i in range(12)
    )
    assert "Sample 2025-" in result.output and "5 of 12 placements" in result.output
    # The same drawing again gives the same bytes, the workbook included.
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    assert _sample(root, "--year", "2025", "--size", "5", "--as-of", "2025-02-05").exit_code == 0
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


def test_the_filled_in_steekproef_comes_back_as_verdicts_and_moves_the_money(
    tmp_path: Path,
) -> None:
    root = write_case(tmp_path)
    deliver(root, "2025-02.csv", *ROWS)
    result = _sample(root, "--year", "2025", "--size", "3", "--seed", "t", "--as-of", "2025-02-05")
    assert result.exit_code == 0, result.output
    folder = next((root / "outputs").glob("sample-2025-*"))
    book = openpyxl.load_workbook(folder / "steekproef.xlsx")
    assert book.sheetnames == ["Steekproef", "Toelichting"]
    for sheet in book.worksheets:
        assert sheet.oddHeader.center.text == "VERTROUWELIJK"
    sheet = book["Steekproef"]
    header = [c.value for c in sheet[1]]
    column = {name: i + 1 for i, name in enumerate(header)}
    drawn = [sheet.cell(r, column["Plaatsing"]).value for r in range(2, 5)]
    assert drawn == pl.read_csv(folder / "sample.csv")["placement_id"].to_list()
    # The reviewers fill in two verdicts and leave one open.
    sheet.cell(2, column["Doelgroep ja/nee"]).value = "nee"
    sheet.cell(2, column["Datum oordeel"]).value = date(2025, 2, 3)
    sheet.cell(2, column["Kenmerk"]).value = "TC-1"
    sheet.cell(3, column["Doelgroep ja/nee"]).value = "ja"
    sheet.cell(3, column["Datum oordeel"]).value = date(2025, 2, 3)
    back = root / "inputs" / "eligibility"
    back.mkdir()
    buffer = io.BytesIO()
    book.save(buffer)
    (back / "steekproef.xlsx").write_bytes(buffer.getvalue())
    assert fundcalc(root, "run", "--period", "2025-01", "--as-of", "2025-02-05").exit_code == 0
    verdicts = [
        {"placement_id": drawn[0], "eligible": "nee", "decided_on": "2025-02-03"},
        {"placement_id": drawn[1], "eligible": "ja", "decided_on": "2025-02-03"},
    ]
    case = scenario()
    case.rows = ROWS
    expected = oracle.calculate(case, 2025, 1, date(2025, 2, 5), verdicts).statement
    produced = {(p, i): a for p, i, _, a in statement(root, "2025-01") if a}
    assert produced == expected
    exceptions = (root / "outputs" / "2025-01" / "exceptions.csv").read_text(encoding="utf-8-sig")
    assert (
        f'{drawn[2]};"verdict cannot be read: eligible is empty: no verdict; no decided_on"'
        in exceptions
    )
    assert "unknown column" not in exceptions
