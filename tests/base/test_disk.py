"""Files on disk: the checksum of a file read in large pieces."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from fundcalc.base import disk
from fundcalc.base.disk import sha256_of


@pytest.mark.parametrize("size", [0, 1, 4096, 4096 * 3 + 7])
def test_the_checksum_of_a_file_read_in_pieces_is_its_sha256(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: int
) -> None:
    monkeypatch.setattr(disk, "HASH_PIECE", 4096)  # several pieces, the last one short
    data = bytes(i % 251 for i in range(size))
    path = tmp_path / "log.csv"
    path.write_bytes(data)
    with path.open("rb") as stream:
        assert sha256_of(stream) == hashlib.sha256(data).hexdigest()


def test_the_checksum_is_of_what_is_left_in_the_stream(tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    path.write_bytes(b"header\nrows\n")
    with path.open("rb") as stream:
        stream.read(7)
        assert sha256_of(stream) == hashlib.sha256(b"rows\n").hexdigest()
