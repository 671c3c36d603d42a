"""Files on disk as fundcalc may use them: regular files only, modes as the umask says.

A file of the log or the rules is read only when it is a regular file of its
own folder: a symbolic link (`inputs/placements/passwd.csv -> /etc/passwd`),
a folder, a pipe or a device named like one is refused, never read and never
archived. The check and the read are one: the file is opened without
following a link (`O_NOFOLLOW`) and its kind is asked of the open file, so a
link swapped in between cannot slip through.

Files and folders fundcalc creates follow the umask, as any program's do: a
temporary file (`tempfile.mkstemp`, 0600) or folder (`mkdtemp`, 0700) is
given the mode a plain `open` or `mkdir` would have had, so that an
auditor's account can read a shared archive and its outputs.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
import threading
from pathlib import Path
from typing import BinaryIO

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_BINARY = getattr(os, "O_BINARY", 0)
_umask_lock = threading.Lock()
#: How much of a file is hashed at a time (`sha256_of`).
HASH_PIECE = 16 * 2**20


class NotRegularFileError(OSError):
    """A path that is no regular file (a link, a folder, a device): never read."""


def refusal(path: Path) -> str | None:
    """Why `path` is not read as a file (`is a symbolic link`, …); None for a regular file."""
    try:
        status = path.lstat()
    except OSError:
        return None  # gone or unreadable: the read says so
    if stat.S_ISLNK(status.st_mode):
        return "is a symbolic link"
    if not stat.S_ISREG(status.st_mode):
        return "is not a regular file"
    return None


def read_regular(path: Path) -> bytes:
    """The bytes of the regular file `path`, never through a link.

    A link, folder or device raises NotRegularFileError (an OSError); any other
    problem the OSError of opening or reading it.
    """
    try:
        descriptor = os.open(path, os.O_RDONLY | _NOFOLLOW | _BINARY)
    except OSError as error:
        if error.errno == errno.ELOOP:  # O_NOFOLLOW met a link
            raise NotRegularFileError(errno.ELOOP, "is a symbolic link", str(path)) from None
        raise
    with os.fdopen(descriptor, "rb") as stream:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise NotRegularFileError(errno.EINVAL, "is not a regular file", str(path))
        return stream.read()


def cannot_write(error: OSError) -> str:
    """Why a write failed and what a finance officer can do, in one sentence or two."""
    reason = error.strerror or str(error)
    if error.errno == errno.ENOSPC:
        return f"{reason}: make room on the disk, then try again"
    if error.errno == errno.EROFS:
        return f"{reason}: the disk is read-only; choose another folder with --out"
    if error.errno in (errno.EACCES, errno.EPERM):
        return f"{reason}: check that you may write in this folder, then try again"
    return reason


def umask() -> int:
    """The process's umask (read by setting it and putting it back)."""
    with _umask_lock:
        mask = os.umask(0o022)
        os.umask(mask)
    return mask


def file_mode() -> int:
    """The mode `open(…, "w")` gives a new file: 0666 less the umask."""
    return 0o666 & ~umask()


def folder_mode() -> int:
    """The mode `mkdir` gives a new folder: 0777 less the umask."""
    return 0o777 & ~umask()


def as_umask_says(path: Path, *, folder: bool = False) -> None:
    """Give a file (or folder) made by `tempfile` the mode the umask asks for."""
    os.chmod(path, folder_mode() if folder else file_mode())


def sha256_of(stream: BinaryIO) -> str:
    """The SHA-256 of what is left in a binary stream, read in large pieces.

    Reading and hashing work without Python's lock, but a thread takes the lock
    again after every piece: beside a thread busy importing (a command hashes its
    log while polars and fundcalc are imported), it waits for it each time, so
    `hashlib.file_digest`'s small pieces made the checksum, and the imports, take
    several times as long.
    """
    digest = hashlib.sha256()
    while piece := stream.read(HASH_PIECE):  # as long as the file, for a small one
        digest.update(piece)
    return digest.hexdigest()
