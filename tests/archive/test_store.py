"""The archive: content-addressed files, records renamed into place last, one writer."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import pytest

from fundcalc.archive.store import Archive, stored
from fundcalc.base.period import Period
from fundcalc.errors import ArchiveError


def record(
    period: str, *files: tuple[str, bytes], basis: dict[str, str] | None = None
) -> dict[str, object]:
    return {
        "format": 1,
        "period": period,
        "as_of": "2025-02-05",
        "closed_on": "2025-02-06",
        "fundcalc": "0.1.0",
        "rules": [],
        "inputs": [stored(name, data).as_json() for name, data in files],
        "outputs": [stored("statement.csv", b"period\n").as_json()],
        "basis": basis or {},
        "totals_cents": {"contribution": 100},
    }


def test_a_committed_close_is_read_back_and_its_files_verified(tmp_path: Path) -> None:
    archive = Archive(tmp_path)
    data = {"a.csv": b"placement_id\nP1\n"}
    files = {hashlib.sha256(v).hexdigest(): v for v in (*data.values(), b"period\n")}
    closed = archive.commit(record("2025-01", *data.items()), files, Period(2025, 1))
    assert (closed.period, closed.as_of, closed.closed_on) == (
        Period(2025, 1),
        date(2025, 2, 5),
        date(2025, 2, 6),
    )
    assert archive.read(closed.inputs[0]) == b"placement_id\nP1\n"
    assert [c.period for c in archive.closed()] == [Period(2025, 1)]


def test_an_unchanged_file_is_stored_once(tmp_path: Path) -> None:
    archive = Archive(tmp_path)
    same = {
        hashlib.sha256(b"x").hexdigest(): b"x",
        hashlib.sha256(b"period\n").hexdigest(): b"period\n",
    }
    archive.commit(record("2025-01", ("a.csv", b"x")), same, Period(2025, 1))
    basis = {"2025-01": hashlib.sha256(b"period\n").hexdigest()}
    archive.commit(record("2025-02", ("a.csv", b"x"), basis=basis), same, Period(2025, 2))
    assert len(list((tmp_path / "objects").rglob("*"))) == 4  # two folders, two files


def test_the_size_of_a_stored_object_is_known_and_of_another_none(tmp_path: Path) -> None:
    archive = Archive(tmp_path)
    files = {hashlib.sha256(v).hexdigest(): v for v in (b"placement_id\nP1\n", b"period\n")}
    archive.commit(record("2025-01", ("a.csv", b"placement_id\nP1\n")), files, Period(2025, 1))
    assert archive.size_of(hashlib.sha256(b"placement_id\nP1\n").hexdigest()) == 16
    assert archive.size_of(hashlib.sha256(b"never stored").hexdigest()) is None


def test_a_period_is_never_committed_twice(tmp_path: Path) -> None:
    archive = Archive(tmp_path)
    archive.commit(record("2025-01"), {}, Period(2025, 1))
    with pytest.raises(ArchiveError, match="2025-01 is already closed"):
        archive.commit(record("2025-01"), {}, Period(2025, 1))


def test_a_missing_or_changed_file_is_an_error_not_used(tmp_path: Path) -> None:
    archive = Archive(tmp_path)
    closed = archive.commit(
        record("2025-01", ("a.csv", b"x")),
        {hashlib.sha256(b"x").hexdigest(): b"x"},
        Period(2025, 1),
    )
    path = tmp_path / "objects" / closed.inputs[0].sha256[:2] / closed.inputs[0].sha256
    path.write_bytes(b"y")
    with pytest.raises(ArchiveError, match="has been changed"):
        archive.read(closed.inputs[0])
    path.unlink()
    with pytest.raises(ArchiveError, match="is missing"):
        archive.read(closed.inputs[0])


def test_the_lock_is_exclusive_and_released(tmp_path: Path) -> None:
    archive = Archive(tmp_path)
    second = Archive(tmp_path)
    with (
        archive.lock(),
        pytest.raises(ArchiveError, match="another close is running"),
        second.lock(),
    ):
        pass
    with archive.lock():
        pass


def test_a_broken_record_is_an_error_naming_it(tmp_path: Path) -> None:
    (tmp_path / "periods").mkdir()
    (tmp_path / "periods" / "2025-01.json").write_text("{}")
    with pytest.raises(ArchiveError, match=r"2025-01\.json: not a readable close record"):
        Archive(tmp_path).closed()
