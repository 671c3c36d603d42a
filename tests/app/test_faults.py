"""Faults of the disk and hostile files: a line, exit 1 or 2, no traceback, nothing half-written."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from fundcalc.app import files
from fundcalc.app.load import load_inputs, log_cache
from fundcalc.app.run import close_period, run_period
from fundcalc.archive import store
from fundcalc.archive.store import ARCHIVE, Archive
from fundcalc.base import atomic
from fundcalc.base.period import Period
from fundcalc.cli import main
from fundcalc.errors import ArchiveError
from tests.closing_case import deliver, fundcalc, write_case

P1 = {"placement_id": "P1", "client_id": "c1", "lot_id": "F", "start_date": "2025-01-10",
      "brp_municipality": "GM0001"}  # fmt: skip
ROFS = OSError(errno.EROFS, os.strerror(errno.EROFS))
FULL = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
DENIED = PermissionError(errno.EACCES, os.strerror(errno.EACCES))


def january_closed(tmp_path: Path) -> Path:
    root = write_case(tmp_path / "case")
    deliver(root, "2025-02.csv", {**P1, "recorded_on": "2025-02-01"})
    assert fundcalc(root, "close", "--period", "2025-01", "--as-of", "2025-02-05").exit_code == 0
    deliver(root, "2025-03.csv", {**P1, "end_date": "2025-02-20", "recorded_on": "2025-03-01"})
    return root


def close_february(root: Path) -> tuple[int, list[str]]:
    result = fundcalc(root, "close", "--period", "2025-02", "--as-of", "2025-03-05", "--quiet")
    return result.exit_code, result.output.splitlines()


def untouched(root: Path) -> None:
    """February is not closed, has no folder, and nothing temporary is left."""
    assert [c.period for c in Archive(root / "outputs" / ARCHIVE).closed()] == [Period(2025, 1)]
    outputs = root / "outputs"
    assert sorted(p.name for p in outputs.iterdir()) == [".cache", "2025-01", ARCHIVE]
    assert not [p for p in (outputs / ARCHIVE).rglob(".*") if p.is_file()]


@pytest.mark.parametrize(("error", "said"), [
    (ROFS, "Read-only file system: the disk is read-only; choose another folder with --out"),
    (DENIED, "Permission denied: check that you may write in this folder, then try again"),
])  # fmt: skip
def test_a_close_that_cannot_take_the_lock_says_so_in_a_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: OSError, said: str
) -> None:
    root = january_closed(tmp_path)

    def refused(*args: object, **kwargs: object) -> object:
        raise error

    monkeypatch.setattr(store, "open", refused, raising=False)
    code, lines = close_february(root)
    assert (code, lines) == (
        1,
        [
            f"fundcalc: {root / 'outputs' / ARCHIVE / 'LOCK'}: cannot take the archive's lock"
            f" ({said}); nothing was written"
        ],
    )
    monkeypatch.undo()
    untouched(root)


def test_a_full_disk_while_archiving_closes_nothing_and_leaves_the_outputs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = january_closed(tmp_path)
    real = store.replace_file

    def full(path: Path, data: bytes, *, durable: bool = True) -> None:
        if path.parent.parent.name == "objects":
            raise FULL
        real(path, data, durable=durable)

    monkeypatch.setattr(store, "replace_file", full)
    code, lines = close_february(root)
    assert (code, lines) == (
        1,
        [
            f"fundcalc: {root / 'outputs' / ARCHIVE}: cannot write the archive (No space left"
            " on device: make room on the disk, then try again); 2025-02 is not closed and its"
            " outputs are unchanged"
        ],
    )
    untouched(root)


def test_a_full_disk_while_writing_the_outputs_closes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = january_closed(tmp_path)

    def full(*args: object, **kwargs: object) -> None:
        raise FULL

    monkeypatch.setattr(atomic, "_write", full)
    code, lines = close_february(root)
    assert code == 1
    assert lines == [
        f"fundcalc: {root / 'outputs' / '2025-02'}: cannot write the outputs (No space left on"
        " device); nothing was closed and the previous outputs are unchanged. Make room on the"
        " disk, then run again."
    ]
    monkeypatch.undo()
    untouched(root)


def test_no_permission_on_the_out_folder_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = january_closed(tmp_path)

    def denied(folder: Path) -> Path:
        raise DENIED

    monkeypatch.setattr(files, "staging_folder", denied)
    result = fundcalc(root, "run", "--period", "2025-02", "--as-of", "2025-03-05", "--quiet")
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"fundcalc: {root / 'outputs'}: cannot write here (Permission denied). Close the outputs"
        " if one is open (report.xlsx in Excel) and check that you may write in this folder,"
        " then run again."
    ]


def test_a_disk_error_no_command_expected_is_one_line_not_exit_3(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = january_closed(tmp_path)

    def full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), "outputs/.cache/x.parquet")

    monkeypatch.setattr("fundcalc.inputs.logcache.LogCache.save", full)
    result = fundcalc(root, "run", "--period", "2025-02", "--as-of", "2025-03-05", "--quiet")
    assert (result.exit_code, result.output) == (
        1,
        "fundcalc: outputs/.cache/x.parquet: No space left on device: make room on the disk,"
        " then try again\n",
    )


def test_a_log_file_deleted_while_closing_closes_nothing(tmp_path: Path) -> None:
    root = january_closed(tmp_path)
    out = root / "outputs"
    cache = log_cache(out)  # a run first: the close takes the log from the cache
    run_period(load_inputs(root / "rules", root / "inputs", cache), out, Period(2025, 2),
               Period(2025, 3).first_day)  # fmt: skip
    cache.save()
    inputs = load_inputs(root / "rules", root / "inputs", log_cache(out), keep_bytes=True)
    gone = root / "inputs" / "placements" / "2025-03.csv"
    gone.unlink()
    with pytest.raises(ArchiveError) as error:
        close_period(
            inputs,
            rules_dir=root / "rules",
            inputs_dir=root / "inputs",
            out_dir=out,
            period=Period(2025, 2),
            as_of=Period(2025, 3).first_day,
            today=Period(2025, 3).first_day,
        )
    assert str(error.value).startswith(f"{gone} cannot be read any more (No such file")
    assert str(error.value).endswith("nothing was closed, close again")
    assert [c.period for c in Archive(out / ARCHIVE).closed()] == [Period(2025, 1)]


@pytest.mark.parametrize("command", ["run", "validate"])
def test_a_csv_whose_header_is_longer_than_the_field_limit_is_one_line(
    tmp_path: Path, command: str
) -> None:
    root = write_case(tmp_path / "case")
    hostile = root / "inputs" / "placements" / "long.csv"
    hostile.write_text('"' + "a" * 140_000 + '",placement_id\nx,P1\n')
    arguments = [command, "--rules", str(root / "rules"), "--inputs", str(root / "inputs")]
    if command == "run":
        arguments += ["--out", str(root / "outputs"), "--period", "2025-01", "--quiet"]
    result = CliRunner().invoke(main, arguments)
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "fundcalc: long.csv: line 1: the header cannot be read (a value is longer than 131072"
        " characters)"
    ]
    assert not (root / "outputs").exists()


def test_a_toml_nested_100_000_deep_is_a_rules_error(tmp_path: Path) -> None:
    root = write_case(tmp_path / "case")
    toml = root / "rules" / "arrangement.toml"
    toml.write_text(toml.read_text() + "\nx = " + "[" * 100_000 + "]" * 100_000 + "\n")
    result = fundcalc(root, "run", "--period", "2025-01", "--as-of", "2025-02-05")
    assert (result.exit_code, result.output) == (
        1,
        "fundcalc: arrangement.toml: is nested too deeply to be read\n",
    )
