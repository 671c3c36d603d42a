"""The sheet Toetsing of report.xlsx (§11): counts and euros, never a client."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from tests.closing_case import deliver, fundcalc, write_case

ROWS = [
    {
        "placement_id": f"P{i}",
        "client_id": f"CLIENT-{i}",
        "lot_id": "F",
        "start_date": f"2025-01-{i + 1:02d}",
        "brp_municipality": "GM0001" if i % 2 else "GM0002",
        "recorded_on": "2025-02-01",
    }
    for i in range(8)
]
# Placement P7 of a municipality that is no member: without a verdict, rejected.
ROWS.append({**ROWS[0], "placement_id": "P8", "client_id": "CLIENT-8", "brp_municipality": "X"})


def _cells(path: Path, sheet: str | None = None) -> list[tuple[object, ...]]:
    book = openpyxl.load_workbook(path)
    sheets = [book[sheet]] if sheet else book.worksheets
    return [
        row
        for ws in sheets
        for row in ws.iter_rows(values_only=True)
        if any(v is not None for v in row)
    ]


def test_toetsing_counts_the_samples_verdicts_and_the_euros_moved_per_month(
    tmp_path: Path,
) -> None:
    root = write_case(tmp_path)
    deliver(root, "2025-02.csv", *ROWS)
    folder = root / "inputs" / "eligibility"
    folder.mkdir()
    (folder / "terug.csv").write_text(
        "Steekproef,Plaatsing,Doelgroep ja/nee,Datum oordeel,Kenmerk\n"
        "2025-abcdef12,P1,nee,2025-02-03,TC-1\n"
        "2025-abcdef12,P2,ja,2025-02-03,TC-2\n"
        "2025-abcdef12,P3,ja,2025-02-03,TC-3\n"
        "2025-abcdef12,P4,ja,2025-02-03,TC-4\n"
        "2025-abcdef12,P5,,,\n"
        "2025-abcdef12,P6,ja,2025-02-03,TC-6\n"
    )
    result = fundcalc(root, "run", "--period", "2025-02", "--as-of", "2025-02-05")
    assert result.exit_code == 0, result.output
    report = root / "outputs" / "2025-02" / "report.xlsx"
    rows = {row[0]: row[1] for row in _cells(report, "Toetsing")}
    assert rows["Populatie"] == 8  # P0-P7 have FUND days; P8 never had
    assert rows["Steekproefomvang"] == 6
    assert rows["Oordelen ontvangen"] == 5
    assert rows["Geen doelgroep"] == "<5"
    # P1 from 2 January on: 30 days of January and 28 of February at € 100.00.
    assert rows["Dagen van het fonds naar de centrumgemeente"] == 58
    assert rows["Van het fonds naar rechtstreekse kosten"] == 5800
    assert rows["jan 2025"] == 30 and rows["feb 2025"] == 28
    # No client id anywhere in the workbook; Toetsing names no placement either.
    text = " ".join(str(v) for row in _cells(report) for v in row if v is not None)
    assert "CLIENT-" not in text
    toetsing = " ".join(str(v) for row in _cells(report, "Toetsing") for v in row if v is not None)
    assert all(f"P{i} " not in f"{toetsing} " for i in range(9))


def test_without_inputs_eligibility_there_is_no_toetsing_sheet(tmp_path: Path) -> None:
    root = write_case(tmp_path)
    deliver(root, "2025-02.csv", *ROWS)
    assert fundcalc(root, "run", "--period", "2025-01", "--as-of", "2025-02-05").exit_code == 0
    book = openpyxl.load_workbook(root / "outputs" / "2025-01" / "report.xlsx")
    assert "Toetsing" not in book.sheetnames
