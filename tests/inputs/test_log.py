"""Reading the placement log: CSV as Dutch Excel writes it, XLSX, headers in any case."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from fundcalc.base.findings import Note
from fundcalc.base.reasons import EMPTY_FILE, UNKNOWN_COLUMN, WINDOWS_1252
from fundcalc.errors import InputError, UsageError
from fundcalc.inputs import log, logcache
from fundcalc.inputs.log import COLUMNS, read_file, read_file_text, read_log
from fundcalc.inputs.logcache import LogCache

HEADER = ",".join(COLUMNS)
ROW = "P1,c1,F,2025-01-30,2025-02-02,GM0001,,,,false,2025-02-01"


def test_a_comma_separated_file_is_read_as_trimmed_text_with_lines() -> None:
    frame = read_file_text(f"{HEADER}\n{ROW}\n P2 , c2 ,F,,,,,,,,\n".encode(), "a.csv")
    assert frame.columns == ["source", "line", *COLUMNS, "read_problem"]
    assert frame.select("source", "line", "placement_id", "client_id", "start_date").rows() == [
        ("a.csv", 2, "P1", "c1", "2025-01-30"),
        ("a.csv", 3, "P2", "c2", None),
    ]


def test_a_semicolon_file_with_bom_and_headers_in_any_case_reads_the_same() -> None:
    dutch = "\ufeff" + HEADER.upper().replace(",", " ; ") + "\r\n" + ROW.replace(",", ";") + "\r\n"
    plain = read_file_text(f"{HEADER}\n{ROW}\n".encode(), "a.csv")
    assert read_file_text(dutch.encode("utf-8"), "a.csv").equals(plain)


def test_missing_columns_are_empty_and_unknown_columns_are_ignored() -> None:
    frame = read_file_text(b"placement_id,remark,recorded_on\nP1,hello,2025-01-01\n", "a.csv")
    assert frame.row(0, named=True) == {
        "source": "a.csv",
        "line": 2,
        **dict.fromkeys(COLUMNS),
        "placement_id": "P1",
        "recorded_on": "2025-01-01",
        "read_problem": None,
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
    frame = read_file_text(buffer.getvalue(), "b.xlsx")
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


def test_a_log_read_to_be_archived_holds_the_bytes_it_parsed_by_sha256(tmp_path: Path) -> None:
    folder = tmp_path / "placements"
    folder.mkdir()
    written = {
        name: f"{HEADER}\n{ROW.replace('P1', name[0])}\n".encode() for name in ("a.csv", "b.csv")
    }
    for name, data in written.items():
        (folder / name).write_bytes(data)
    log = read_log(tmp_path, keep_bytes=True)
    assert log.data == {hashlib.sha256(d).hexdigest(): d for d in written.values()}
    assert [f.sha256 for f in log.files] == list(log.data)
    assert read_log(tmp_path).data == {}


def test_a_log_read_through_the_cache_holds_the_bytes_of_the_files_it_parsed_only(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "placements"
    folder.mkdir()
    (folder / "a.csv").write_bytes(f"{HEADER}\n{ROW}\n".encode())
    cache = LogCache(tmp_path / "cache")
    logcache.read_log(tmp_path, cache)
    cache.save()
    new = f"{HEADER}\n{ROW.replace('P1', 'P2')}\n".encode()
    (folder / "b.csv").write_bytes(new)
    log = logcache.read_log(tmp_path, LogCache(tmp_path / "cache"), keep_bytes=True)
    assert log.data == {hashlib.sha256(new).hexdigest(): new}
    assert log.rows["placement_id"].to_list() == ["P1", "P2"]


def test_a_missing_placements_folder_is_bad_usage_naming_where_it_looked(tmp_path: Path) -> None:
    with pytest.raises(UsageError) as raised:
        read_log(tmp_path)
    assert str(raised.value) == (
        f"no placement log: looked for {tmp_path / 'placements'}, which does not exist; run"
        " fundcalc in the project folder (the one that holds rules/ and inputs/), or give"
        " --inputs FOLDER"
    )


def test_a_placements_file_or_link_instead_of_a_folder_is_an_input_error(tmp_path: Path) -> None:
    (tmp_path / "placements").write_text("")
    with pytest.raises(InputError, match="is a link or a file, not a folder"):
        read_log(tmp_path)


def test_a_column_named_twice_cannot_be_read() -> None:
    data = b"placement_id;Placement_ID ;recorded_on\nP1;P2;2025-01-01\n"
    with pytest.raises(InputError) as error:
        read_file_text(data, "a.csv")
    assert str(error.value) == (
        "a.csv: line 1: column 'Placement_ID' (column 2)"
        " names the same as 'placement_id' (column 1)"
    )


def test_unknown_and_unnamed_columns_are_ignored_with_a_warning() -> None:
    data = b"placement_id,opmerking,,recorded_on,\nP1,hello,x,2025-01-01,\n"
    read = read_file(data, "a.csv")
    assert read.rows.select("placement_id", "recorded_on", "read_problem").rows() == [
        ("P1", dt.date(2025, 1, 1), None)
    ]
    assert read.findings.select("kind", "source", "line", "reason").rows() == [
        ("warning", "a.csv", 1, "unknown column 'opmerking' is ignored"),
        ("warning", "a.csv", 1, "column 3 has no name and is ignored"),
    ]


def test_a_row_with_a_value_only_in_an_unknown_column_is_kept() -> None:
    data = b"placement_id;opmerking;recorded_on\nP1;;2025-01-01\n;see above;\n;;\n"
    read = read_file(data, "a.csv")
    assert read.rows.select("line", "placement_id").rows() == [(2, "P1"), (3, None)]
    assert read.blank_rows == 1


def test_excel_lock_files_and_hidden_files_are_no_part_of_the_log(tmp_path: Path) -> None:
    folder = tmp_path / "placements"
    folder.mkdir()
    (folder / "a.csv").write_text(f"{HEADER}\n{ROW}\n")
    (folder / "~$b.xlsx").write_bytes(b"\x0bExcel lock")
    (folder / ".import-123.csv").write_text("half written")
    assert [f.name for f in read_log(tmp_path).files] == ["a.csv"]


def test_a_file_that_cannot_be_opened_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "placements"
    folder.mkdir()
    (folder / "a.csv").write_text(f"{HEADER}\n{ROW}\n")

    def denied(path: Path) -> bytes:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(log, "read_regular", denied)
    with pytest.raises(InputError) as error:
        read_log(tmp_path)
    assert str(error.value) == f"{folder / 'a.csv'}: cannot be read (Permission denied)"


def test_the_log_carries_the_warnings_of_its_files(tmp_path: Path) -> None:
    folder = tmp_path / "placements"
    folder.mkdir()
    (folder / "a.csv").write_bytes(f"{HEADER},remark\n{ROW},Cliënt\n".encode("cp1252"))
    (folder / "b.csv").write_bytes(b"")
    log = read_log(tmp_path)
    assert log.findings.select("source", "line", "reason").rows() == [
        ("a.csv", 2, WINDOWS_1252.text()),
        ("a.csv", 1, "unknown column 'remark' is ignored"),
        ("b.csv", None, EMPTY_FILE.text()),
    ]
    assert [(f.name, f.rows) for f in log.files] == [("a.csv", 1), ("b.csv", 0)]


def test_a_column_the_reader_calls_ignored_is_left_out_without_a_warning() -> None:
    def canonical(header: str) -> str | None:
        return {"placement_id": "placement_id", "notitie": log.IGNORED}.get(header)

    table = log.read_table(b"placement_id,notitie,kleur\nP1,zie dossier,rood\n", "a.csv", canonical)
    named, notes = log.by_column(table, "a.csv", canonical)
    assert named.columns == ["line", "read_problem", "placement_id"]
    assert named.get_column("placement_id").to_list() == ["P1"]
    assert notes == [Note(1, UNKNOWN_COLUMN("kleur"))]
