"""Reading the placement log: CSV as Dutch Excel writes it, XLSX, headers in any case."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from fundcalc.errors import InputError
from fundcalc.log import COLUMNS, read_file_bytes, read_log

HEADER = ",".join(COLUMNS)
ROW = "P1,c1,F,2025-01-30,2025-02-02,GM0001,,,,false,2025-02-01"


def test_a_comma_separated_file_is_read_as_trimmed_text_with_lines() -> None:
    frame = read_file_bytes(f"{HEADER}\n{ROW}\n P2 , c2 ,F,,,,,,,,\n".encode(), "a.csv")
    assert frame.columns == ["source", "line", *COLUMNS]
    assert frame.select("source", "line", "placement_id", "client_id", "start_date").rows() == [
        ("a.csv", 2, "P1", "c1", "2025-01-30"),
        ("a.csv", 3, "P2", "c2", None),
    ]


def test_a_semicolon_file_with_bom_and_headers_in_any_case_reads_the_same() -> None:
    dutch = "\ufeff" + HEADER.upper().replace(",", " ; ") + "\r\n" + ROW.replace(",", ";") + "\r\n"
    plain = read_file_bytes(f"{HEADER}\n{ROW}\n".encode(), "a.csv")
    assert read_file_bytes(dutch.encode("utf-8"), "a.csv").equals(plain)


def test_missing_columns_are_empty_and_unknown_columns_are_ignored() -> None:
    frame = read_file_bytes(b"placement_id,remark,recorded_on\nP1,hello,2025-01-01\n", "a.csv")
    assert frame.row(0, named=True) == {
        "source": "a.csv",
        "line": 2,
        **dict.fromkeys(COLUMNS),
        "placement_id": "P1",
        "recorded_on": "2025-01-01",
    }


def test_an_xlsx_file_is_read_with_excel_row_numbers_and_real_dates() -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append([])
    sheet.append(["Placement_ID", "start_date", "void", "recorded_on"])
    sheet.append(["P1", dt.datetime(2025, 1, 3), True, dt.date(2025, 2, 1)])
    sheet.append([12345, "31-01-2025", None, dt.datetime(2025, 2, 1, 9, 30)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    frame = read_file_bytes(buffer.getvalue(), "b.xlsx")
    assert frame.select("line", "placement_id", "start_date", "void", "recorded_on").rows() == [
        (3, "P1", "2025-01-03", "true", "2025-02-01"),
        (4, "12345", "31-01-2025", None, "2025-02-01 09:30:00"),
    ]


def test_the_log_is_every_csv_and_xlsx_file_in_the_placements_folder(tmp_path: Path) -> None:
    folder = tmp_path / "placements"
    folder.mkdir()
    (folder / "b.csv").write_text(f"{HEADER}\n{ROW.replace('P1', 'P2')}\n")
    (folder / "a.CSV").write_text(f"{HEADER}\n{ROW}\n;;;;;;;;;;\n".replace(",", ";"))
    (folder / "notes.txt").write_text("not a log file")
    log = read_log(tmp_path)
    assert [(f.name, f.rows, f.blank_rows) for f in log.files] == [("a.CSV", 1, 1), ("b.csv", 1, 0)]
    assert log.rows["placement_id"].to_list() == ["P1", "P2"]
    assert log.rows.schema["line"] == pl.Int64


def test_a_missing_placements_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such folder"):
        read_log(tmp_path)
