"""Output files: written all or nothing, and input text that Excel would run kept as text."""

from __future__ import annotations

import csv
import errno
import io
import os
from pathlib import Path

import polars as pl
import pytest

from fundcalc import outputs
from fundcalc.errors import OutputError
from fundcalc.findings import finding_frame
from fundcalc.outputs import render_findings, render_statement, safe_text, write_folder


def contents(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.fixture
def previous(tmp_path: Path) -> Path:
    folder = tmp_path / "2026-10"
    write_folder(folder, {"statement.csv": b"old statement\n", "report.xlsx": b"old workbook"})
    return folder


def test_a_write_replaces_the_whole_folder_and_leaves_nothing_beside_it(previous: Path) -> None:
    write_folder(previous, {"statement.csv": b"new\n", "manifest.json": b"{}\n"})
    assert contents(previous) == {"manifest.json": b"{}\n", "statement.csv": b"new\n"}
    assert [p.name for p in previous.parent.iterdir()] == ["2026-10"]


def test_a_full_disk_while_writing_leaves_the_previous_outputs_and_says_what_to_do(
    previous: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(descriptor: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(outputs.os, "fsync", full)
    with pytest.raises(OutputError) as error:
        write_folder(previous, {"statement.csv": b"new\n", "report.xlsx": b"new workbook"})
    assert str(error.value) == (
        f"{previous}: cannot write the outputs (No space left on device);"
        " the previous outputs are unchanged. Make room on the disk, then run again."
    )
    assert contents(previous) == {
        "report.xlsx": b"old workbook",
        "statement.csv": b"old statement\n",
    }
    assert [p.name for p in previous.parent.iterdir()] == ["2026-10"]


def test_a_folder_that_cannot_be_replaced_is_put_back_as_it_was(
    previous: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As on Windows while report.xlsx is open in Excel: the new folder cannot take its place.
    rename = Path.rename

    def locked(self: Path, target: Path) -> Path:
        if Path(target) == previous and self.name.startswith(".2026-10.new-"):
            raise PermissionError(errno.EACCES, "Permission denied")
        return rename(self, target)

    monkeypatch.setattr(Path, "rename", locked)
    with pytest.raises(OutputError) as error:
        write_folder(previous, {"statement.csv": b"new\n"})
    assert str(error.value) == (
        f"{previous}: cannot write the outputs (Permission denied);"
        " the previous outputs are unchanged. Close the outputs if one is open"
        " (report.xlsx in Excel) and check that you may write in this folder, then run again."
    )
    assert contents(previous) == {
        "report.xlsx": b"old workbook",
        "statement.csv": b"old statement\n",
    }
    assert [p.name for p in previous.parent.iterdir()] == ["2026-10"]


def test_a_folder_where_nothing_may_be_written_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def read_only(**kwargs: object) -> str:
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr(outputs.tempfile, "mkdtemp", read_only)
    with pytest.raises(OutputError) as error:
        write_folder(tmp_path / "out" / "2026-10", {"statement.csv": b"x"})
    assert str(error.value) == (
        f"{tmp_path / 'out'}: cannot write here (Read-only file system)."
        " The disk is read-only: choose another folder with --out."
    )


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+31 6", "'+31 6"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("P-1", "P-1"),
        ("", ""),
    ],
)
def test_text_that_excel_would_read_as_a_formula_is_written_as_text(
    text: str, written: str
) -> None:
    assert safe_text(text) == written


def test_the_exceptions_file_writes_formula_like_input_as_text_and_numbers_as_numbers() -> None:
    findings = finding_frame(
        pl.DataFrame(
            {
                "kind": ["exception"],
                "source": ["=bestand.csv"],
                "line": [-3],
                "placement_id": ['=HYPERLINK("http://x","y")'],
                "reason": ["unknown lot '@X'"],
                "days": [4],
            }
        )
    )
    text = render_findings(findings).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    assert rows == [
        ["kind", "source", "line", "placement_id", "reason", "days"],
        [
            "exception",
            "'=bestand.csv",
            "-3",
            '\'=HYPERLINK("http://x","y")',
            "unknown lot '@X'",
            "4",
        ],
    ]


def test_the_statement_keeps_negative_amounts_as_numbers() -> None:
    assert render_statement([("2026-10", "GM0363", "key", "2026-10", -1234)]) == (
        b"period,payer,item,for_period,amount_cents\n2026-10,GM0363,key,2026-10,-1234\n"
    )
