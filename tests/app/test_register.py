"""The import register and the stamped files both imports write."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest

from fundcalc.app.register import (
    every_row_an_exception,
    refuse_repeat,
    register,
    registry_rows,
    same_rows,
    stamped_file,
    stamped_name,
)
from fundcalc.base.findings import finding_frame
from fundcalc.errors import InputError


def test_a_stamped_name_is_safe_and_never_takes_an_existing_file(tmp_path: Path) -> None:
    day = date(2026, 11, 5)
    first = stamped_name(tmp_path, day, Path("Aanlevering november (v2).xlsx"), "import")
    assert first == "2026-11-05_Aanlevering_november_v2.csv"
    (tmp_path / first).write_text("")
    assert stamped_name(tmp_path, day, Path("Aanlevering november (v2).xlsx"), "import") == (
        "2026-11-05_Aanlevering_november_v2-2.csv"
    )
    assert stamped_name(tmp_path, day, Path("###.csv"), "invoices") == "2026-11-05_invoices.csv"


def test_a_stamped_file_keeps_each_row_on_its_line_of_the_export() -> None:
    rows = pl.DataFrame({"line": [2, 5], "a": ["x", None], "b": ["1", "2"]})
    assert stamped_file(rows, ("a", "b"), "line") == b"a,b\nx,1\n\n\n,2\n"


def test_an_export_registered_once_is_refused_the_second_time_naming_where(
    tmp_path: Path,
) -> None:
    registry = tmp_path / "imports.csv"
    register(
        registry, "invoices/2026-11-05_x.csv", "=x.csv", digest="ab" * 32,
        recorded_on=date(2026, 11, 5), rows=3,
    )  # fmt: skip
    assert registry_rows(registry) == [
        {
            "file": "invoices/2026-11-05_x.csv",
            "source": "'=x.csv",
            "source_sha256": "ab" * 32,
            "recorded_on": "2026-11-05",
            "rows": "3",
        }
    ]
    refuse_repeat(registry, "cd" * 32, "y.csv")
    with pytest.raises(InputError, match=r"y.csv: was imported before .* in invoices/2026-11-05"):
        refuse_repeat(registry, "ab" * 32, "y.csv")


def test_same_rows_finds_the_imported_file_whatever_its_stamp_and_blank_lines(
    tmp_path: Path,
) -> None:
    inputs = tmp_path / "inputs"
    (inputs / "placements").mkdir(parents=True)
    (inputs / "placements" / "2026-11-05_x.csv").write_bytes(
        b"a,day\nx,2026-11-05\n\ny,2026-11-05\n"
    )
    registry = inputs / "imports.csv"
    register(registry, "2026-11-05_x.csv", "x.csv", digest="ab" * 32,
             recorded_on=date(2026, 11, 5), rows=2)  # fmt: skip
    found = same_rows(registry, inputs, b"a,day\nx,2026-11-20\ny,2026-11-20\n", "day")
    assert found is not None and found["file"] == "2026-11-05_x.csv"
    assert same_rows(registry, inputs, b"a,day\nx,2026-11-20\nz,2026-11-20\n", "day") is None
    assert same_rows(registry, inputs, b"a,day\nx,2026-11-20\n", "day") is None


def test_every_row_an_exception_needs_an_exception_on_each_line_of_the_export() -> None:
    findings = finding_frame(
        pl.DataFrame(
            {
                "kind": ["exception", "warning", "exception"],
                "source": ["e.csv", "e.csv", "other.csv"],
                "line": [2, 3, 3],
            }
        )
    )
    assert every_row_an_exception([2], findings, "e.csv")
    assert not every_row_an_exception([2, 3], findings, "e.csv")
    assert not every_row_an_exception([], findings, "e.csv")
