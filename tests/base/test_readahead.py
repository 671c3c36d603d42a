"""Checksums computed ahead: used only for the very file they were computed for."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from fundcalc.base.readahead import ReadAhead


def test_the_checksum_of_an_unchanged_file_is_the_one_computed_ahead(tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    path.write_bytes(b"a,b\n1,2\n")
    assert ReadAhead([path]).sha256(path) == hashlib.sha256(b"a,b\n1,2\n").hexdigest()


def test_a_file_rewritten_with_its_old_size_and_time_has_no_checksum_ahead(
    tmp_path: Path,
) -> None:
    path = tmp_path / "log.csv"
    path.write_bytes(b"a,b\n1,2\n")
    ahead = ReadAhead([path])
    ahead.sha256(path)  # computed
    before = path.stat()
    path.write_bytes(b"a,b\n1,3\n")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert ahead.sha256(path) is None  # the change time tells


def test_a_file_replaced_by_another_has_no_checksum_ahead(tmp_path: Path) -> None:
    path, other = tmp_path / "log.csv", tmp_path / "other.csv"
    path.write_bytes(b"a,b\n1,2\n")
    other.write_bytes(b"a,b\n1,2\n")
    ahead = ReadAhead([path])
    ahead.sha256(path)
    os.replace(other, path)
    assert ahead.sha256(path) is None


def test_a_link_a_missing_file_and_a_file_not_asked_for_have_none(tmp_path: Path) -> None:
    target = tmp_path / "target.csv"
    target.write_bytes(b"x\n")
    link, gone = tmp_path / "link.csv", tmp_path / "gone.csv"
    link.symlink_to(target)
    ahead = ReadAhead([link, gone])
    assert ahead.sha256(link) is None
    assert ahead.sha256(gone) is None
    assert ahead.sha256(target) is None  # never asked for


def test_the_file_read_whole_ahead_is_handed_over_once_with_its_stamp_and_checksum(
    tmp_path: Path,
) -> None:
    path, other = tmp_path / "log.csv", tmp_path / "old.csv"
    path.write_bytes(b"a,b\n1,2\n")
    other.write_bytes(b"a,b\n3,4\n")
    ahead = ReadAhead([other, path], whole=path)
    whole = ahead.take(path)
    assert whole is not None
    status = path.stat()
    assert (whole.data, whole.size, whole.mtime_ns) == (b"a,b\n1,2\n", 8, status.st_mtime_ns)
    assert whole.sha256.result() == hashlib.sha256(b"a,b\n1,2\n").hexdigest()
    assert ahead.take(path) is None  # handed over once: the bytes are the taker's
    assert ahead.take(other) is None  # hashed only
    assert ahead.sha256(path) == whole.sha256.result()
    assert ahead.sha256(other) == hashlib.sha256(b"a,b\n3,4\n").hexdigest()


def test_a_file_that_cannot_be_read_whole_ahead_is_handed_over_as_none(tmp_path: Path) -> None:
    target = tmp_path / "target.csv"
    target.write_bytes(b"x\n")
    link, gone = tmp_path / "link.csv", tmp_path / "gone.csv"
    link.symlink_to(target)
    assert ReadAhead([link], whole=link).take(link) is None
    assert ReadAhead([gone], whole=gone).take(gone) is None
    assert ReadAhead([target], whole=gone).take(gone) is None  # not among the files
