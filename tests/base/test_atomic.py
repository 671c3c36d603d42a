"""Files replaced whole or not at all: the old bytes stay when writing fails."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from fundcalc.base import atomic
from fundcalc.base.atomic import replace_file


def test_a_file_is_replaced_whole_and_nothing_is_left_beside_it(tmp_path: Path) -> None:
    path = tmp_path / "2026-10.json"
    path.write_bytes(b"old")
    replace_file(path, b"new")
    replace_file(tmp_path / "other.json", b"first", durable=False)
    assert path.read_bytes() == b"new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2026-10.json", "other.json"]


def test_a_durable_write_that_fails_leaves_the_old_file_and_no_temporary_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "2026-10.json"
    path.write_bytes(b"old")

    def full(descriptor: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(atomic.os, "fsync", full)
    with pytest.raises(OSError, match="No space left on device"):
        replace_file(path, b"new")
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["2026-10.json"]
