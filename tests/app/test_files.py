"""Output files: written all or nothing, and input text that Excel would run kept as text."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from fundcalc.app.files import write_folder
from fundcalc.base import atomic
from fundcalc.errors import OutputError


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

    monkeypatch.setattr(atomic.os, "fsync", full)
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

    monkeypatch.setattr(atomic.tempfile, "mkdtemp", read_only)
    with pytest.raises(OutputError) as error:
        write_folder(tmp_path / "out" / "2026-10", {"statement.csv": b"x"})
    assert str(error.value) == (
        f"{tmp_path / 'out'}: cannot write here (Read-only file system)."
        " The disk is read-only: choose another folder with --out."
    )
