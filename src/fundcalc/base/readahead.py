"""Checksums computed ahead: the SHA-256 of files a command is about to read,
on a thread of its own, while the command's modules are still being imported.

A month's run over a large log spends a good part of its time on two things
that need not wait for each other: importing polars and fundcalc (one core,
Python) and the SHA-256 of the log's files (hashlib works without Python's
lock). A checksum computed ahead is used only for a file that is still the
file it was computed for: the same device and inode, size, modification and
change times as when it was read whole. Anything else, a file that cannot be
read among them, is left to the command's own read, which says what is wrong.

The one file a command knows it will parse (a log file the cache has never
kept) is read whole ahead as well (`Whole`): parsing it can then begin as soon
as polars is imported, and its bytes are read, and hashed, once.
"""

from __future__ import annotations

import hashlib
import os
import stat
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, TypeVar

from fundcalc.base.disk import sha256_of

if TYPE_CHECKING:
    from concurrent.futures import Future

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_BINARY = getattr(os, "O_BINARY", 0)
_T = TypeVar("_T")


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


@dataclass(frozen=True)
class Whole:
    """A file read whole ahead: its bytes, its size and modification time from before
    they were read, and their SHA-256, which is computed after the bytes are handed
    over (`sha256.result()` waits for it). The bytes did not change while they were
    read; the file may have since, as after any read."""

    data: bytes
    size: int
    mtime_ns: int
    sha256: Future[str]


class ReadAhead:
    """The SHA-256 of `paths`, computed on a daemon thread started at once; the file
    `whole` (one of them, or None) is read whole first, for `take`."""

    def __init__(self, paths: Sequence[Path], *, whole: Path | None = None) -> None:
        self._paths = tuple(paths)
        self._digests: dict[Path, tuple[_Identity, str]] = {}
        self._whole = whole if whole in self._paths else None
        self._taken: Whole | None = None
        self._digest: Future[str] | None = None
        if self._whole is not None:
            # Imported here, not on top: every command imports this module before
            # anything else, and few read a file whole.
            from concurrent.futures import Future  # noqa: PLC0415

            self._digest = Future()
        self._handed = threading.Event()
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

    def take(self, path: Path) -> Whole | None:
        """The file `path` as read whole ahead, once (its bytes are then the taker's);
        None for any other file, one that could not be read, or a second time. Waits
        for the bytes, not for their checksum."""
        if path != self._whole:
            return None
        self._handed.wait()
        whole, self._taken = self._taken, None
        return whole

    def _hash_all(self) -> None:
        if self._whole is not None and self._digest is not None:
            self._hash_whole(self._whole, self._digest)
        for path in self._paths:
            if path == self._whole:
                continue
            try:
                self._digests[path] = _hashed(path)
            except OSError:
                continue

    def _hash_whole(self, path: Path, digest: Future[str]) -> None:
        """Read `path` whole, hand it over (`take`), then hash it into `digest`."""
        try:
            identity, data = _read_whole(path)
            self._taken = Whole(data, identity.size, identity.mtime_ns, digest)
        except OSError:
            return
        finally:
            self._handed.set()
        try:
            value = hashlib.sha256(data).hexdigest()
        except BaseException as error:  # the taker waits on it: never left unanswered
            digest.set_exception(error)
            raise
        self._digests[path] = (identity, value)
        digest.set_result(value)


def _read_whole(path: Path) -> tuple[_Identity, bytes]:
    """A regular file's identity and bytes (`_read`)."""
    return _read(path, lambda stream: stream.read())


def _hashed(path: Path) -> tuple[_Identity, str]:
    """A regular file's identity and SHA-256 (`_read`)."""
    return _read(path, sha256_of)


def _read(path: Path, read: Callable[[BinaryIO], _T]) -> tuple[_Identity, _T]:
    """What `read` makes of a regular file, never read through a link, with the file's
    identity; an OSError if it is no regular file or changed while it was read."""
    descriptor = os.open(path, os.O_RDONLY | _NOFOLLOW | _BINARY)
    with os.fdopen(descriptor, "rb") as stream:
        before = os.fstat(descriptor)
        if not stat.S_ISREG(before.st_mode):
            raise OSError(f"{path}: not a regular file")
        made = read(stream)
        if _Identity.of(os.fstat(descriptor)) != _Identity.of(before):
            raise OSError(f"{path}: changed while it was read")
    return _Identity.of(before), made
