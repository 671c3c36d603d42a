"""Files and folders written whole or not at all: the one way fundcalc replaces them.

A file is written to a temporary file beside it, then renamed over it; a
folder is filled beside the old one, then takes its place by renames. A
failure halfway (a full disk, a workbook open in Excel, a crash) leaves what
was there before, and never half a file under the real name. Durable writes
are flushed to the disk (fsync) before the rename, so that the new name never
points to data still in memory; the log cache, which is only ever read again,
skips that. What is created follows the umask (`disk`), as a plain `open`
would: an auditor's account can read a shared archive. Failures are
`OSError`s: the caller says what they mean (an output, the archive, the
cache).
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import BinaryIO

from fundcalc.base.disk import as_umask_says, file_mode


def replace_file(path: Path, data: bytes, *, durable: bool = True) -> None:
    """Make `path` hold `data`, whole or not at all (a temporary file beside it, renamed)."""
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        os.chmod(temporary, file_mode())  # as the umask says, not mkstemp's 0600
        with os.fdopen(descriptor, "wb") as stream:
            _write(stream, data, durable=durable)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def sync_folder(folder: Path) -> None:
    """Flush a folder's entries (a rename into it) to the disk; nothing to do on Windows."""
    if os.name == "nt":
        return
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def staging_folder(folder: Path) -> Path:
    """A new empty folder beside `folder` (created with its parents) to fill and swap in."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.new-{os.getpid()}-", dir=folder.parent))
    as_umask_says(staging, folder=True)  # not mkdtemp's 0700: an auditor may read it
    return staging


def swap_in(staging: Path, files: Mapping[str, bytes], folder: Path) -> None:
    """Write `files` durably into `staging`, then let it take the place of `folder`.

    On any failure `staging` is removed and `folder` is as it was.
    """
    fill(staging, files)
    swap(staging, folder)


def fill(staging: Path, files: Mapping[str, bytes]) -> None:
    """Write `files` durably into `staging` and read them back: each must hold its bytes.

    On any failure `staging` is removed.
    """
    try:
        for name, data in files.items():
            with open(staging / name, "wb") as stream:
                _write(stream, data, durable=True)
        for name, data in files.items():
            if (staging / name).read_bytes() != data:
                raise OSError(errno.EIO, "a file read back differs from what was written", name)
    except OSError:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def swap(staging: Path, folder: Path) -> None:
    """Let the filled `staging` take the place of `folder` (renames only).

    On any failure `staging` is removed and `folder` is as it was.
    """
    try:
        _swap(staging, folder)
    except OSError:
        shutil.rmtree(staging, ignore_errors=True)
        raise


#: Leftovers of a write that was killed: `.2026-10.new-<pid>-…` and `.2026-10.old-<pid>-…`.
_LEFTOVER = re.compile(r"^\..+\.(new|old)-(?:(\d+)-)?[^/]*$")
#: A leftover whose name names no process is taken as abandoned after this long.
_ABANDONED = 3600.0


def sweep_leftovers(parent: Path) -> list[Path]:
    """Remove the staging and retired folders of killed writes under `parent`; the removed.

    A folder named with the id of a process still running is another write in
    progress and is left alone; one without an id (made before ids were in the
    names) only once it is an hour old. A retired folder whose folder is gone
    (killed between the renames of a swap) is put back instead.
    """
    removed: list[Path] = []
    try:
        entries = list(parent.iterdir())
    except OSError:
        return removed
    for entry in entries:
        found = _LEFTOVER.match(entry.name)
        if found is None or not entry.is_dir() or entry.is_symlink():
            continue
        pid = found.group(2)
        if pid is not None and int(pid) != os.getpid() and _running(int(pid)):
            continue
        if pid is None and time.time() - entry.stat().st_mtime < _ABANDONED:
            continue
        folder = parent / entry.name[1:].rsplit(f".{found.group(1)}-", 1)[0]
        if found.group(1) == "old" and not folder.exists():
            # Killed between the two renames of a swap: the old folder goes back.
            entry.rename(folder)
            continue
        shutil.rmtree(entry, ignore_errors=True)
        removed.append(entry)
    return removed


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # there, but not ours to signal
        return True
    return True


def _write(stream: BinaryIO, data: bytes, *, durable: bool) -> None:
    stream.write(data)
    if durable:
        stream.flush()
        os.fsync(stream.fileno())


def _swap(staging: Path, folder: Path) -> None:
    """Rename `staging` to `folder`; the old folder is renamed aside first and removed
    last, or put back when the new one cannot take its place."""
    if not folder.exists():
        staging.rename(folder)
        return
    retired = Path(tempfile.mkdtemp(prefix=f".{folder.name}.old-{os.getpid()}-", dir=folder.parent))
    retired.rmdir()
    folder.rename(retired)
    try:
        staging.rename(folder)
    except OSError:
        retired.rename(folder)
        raise
    shutil.rmtree(retired, ignore_errors=True)
