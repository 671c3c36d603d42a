"""Checksums computed ahead: the SHA-256 of files a command is about to read,
on a thread of its own, while the command's modules are still being imported.

A month's run over a large log spends a good part of its time on two things
that need not wait for each other: importing polars and fundcalc (one core,
Python) and the SHA-256 of the log's files (hashlib works without Python's
lock). A checksum computed ahead is used only for a file that is still the
file it was computed for: the same device and inode, size, modification and
change times as when it was read whole. Anything else, a file that cannot be
read among them, is left to the command's own read, which says what is wrong.
"""

from __future__ import annotations

import os
import stat
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from fundcalc.base.disk import sha256_of

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_BINARY = getattr(os, "O_BINARY", 0)


@dataclass(frozen=True)
class _Identity:
    """What changes when a file is replaced or written: its checksum is kept for this."""

    device: int
    inode: int
    size: int
    mtime_ns: int
    ctime_ns: int

    @classmethod
    def of(cls, status: os.stat_result) -> _Identity:
        return cls(
            status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns, status.st_ctime_ns
        )


class ReadAhead:
    """The SHA-256 of `paths`, computed on a daemon thread started at once."""

    def __init__(self, paths: Sequence[Path]) -> None:
        self._paths = tuple(paths)
        self._digests: dict[Path, tuple[_Identity, str]] = {}
        self._thread = threading.Thread(target=self._hash_all, name="readahead", daemon=True)
        self._thread.start()

    def sha256(self, path: Path) -> str | None:
        """The checksum computed ahead for `path`, if the file is unchanged since; None
        for a file not read ahead, not readable, or changed."""
        if path not in self._paths:
            return None
        self._thread.join()
        kept = self._digests.get(path)
        if kept is None:
            return None
        try:
            now = _Identity.of(os.stat(path, follow_symlinks=False))
        except OSError:
            return None
        identity, digest = kept
        return digest if now == identity else None

    def _hash_all(self) -> None:
        for path in self._paths:
            try:
                self._digests[path] = _hashed(path)
            except OSError:
                continue


def _hashed(path: Path) -> tuple[_Identity, str]:
    """A regular file's identity and SHA-256, never through a link; an OSError if it
    is no regular file or changed while it was read."""
    descriptor = os.open(path, os.O_RDONLY | _NOFOLLOW | _BINARY)
    with os.fdopen(descriptor, "rb") as stream:
        before = os.fstat(descriptor)
        if not stat.S_ISREG(before.st_mode):
            raise OSError(f"{path}: not a regular file")
        digest = sha256_of(stream)
        if _Identity.of(os.fstat(descriptor)) != _Identity.of(before):
            raise OSError(f"{path}: changed while it was read")
    return _Identity.of(before), digest
