"""Which files are the log: named like one, in inputs/placements/, by name."""

from __future__ import annotations

from pathlib import Path

import pytest

from fundcalc.errors import UsageError
from fundcalc.inputs.logfiles import log_bytes, log_entries, log_files


def test_the_log_is_its_csv_and_xlsx_files_by_name_without_hidden_and_lock_files(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "placements"
    folder.mkdir()
    for name in ("b.CSV", "a.xlsx", ".import.csv", "~$a.xlsx", "notes.txt"):
        (folder / name).write_bytes(b"")
    (folder / "link.csv").symlink_to(folder / "a.xlsx")
    assert [p.name for p in log_entries(tmp_path)] == ["a.xlsx", "b.CSV", "link.csv"]
    assert [p.name for p in log_files(tmp_path)] == ["a.xlsx", "b.CSV"]


def test_without_a_log_folder_the_entries_are_an_error_and_the_files_none(
    tmp_path: Path,
) -> None:
    with pytest.raises(UsageError, match="no placement log: looked for"):
        log_entries(tmp_path)
    assert log_files(tmp_path) == []


def test_the_size_of_the_log_is_its_files_together_and_a_file_gone_counts_nothing(
    tmp_path: Path,
) -> None:
    (tmp_path / "a.csv").write_bytes(b"x" * 700)
    (tmp_path / "b.csv").write_bytes(b"y" * 42)
    log = [tmp_path / "a.csv", tmp_path / "b.csv", tmp_path / "gone.csv"]
    assert log_bytes(log) == 742
    assert log_bytes([]) == 0
