"""Writing a run's files atomically (one place for every command that writes outputs).

Every file is written to a temporary folder first, which then takes the place
of the old folder by renames (`base.atomic`): a run that fails halfway (a full
disk, a workbook open in Excel) leaves the previous outputs exactly as they
were, and the message says what a finance officer can do about it.
"""

from __future__ import annotations

import errno
from collections.abc import Mapping
from pathlib import Path

from fundcalc.base.atomic import fill, staging_folder, swap, swap_in, sweep_leftovers
from fundcalc.errors import OutputError


def write_folder(folder: Path, files: Mapping[str, bytes]) -> None:
    """Replace `folder` by one holding exactly `files`, all or nothing.

    The files are written to a temporary folder beside it, which then takes
    the place of the old one by renames; on any failure the old folder stays.
    """
    try:
        staging = staging_folder(folder)
    except OSError as error:
        raise OutputError(
            f"{folder.parent}: cannot write here ({error.strerror}). {what_to_do(error)}"
        ) from None
    try:
        swap_in(staging, files, folder)
    except OSError as error:
        raise OutputError(
            f"{folder}: cannot write the outputs ({error.strerror});"
            f" the previous outputs are unchanged. {what_to_do(error)}"
        ) from None
    sweep_leftovers(folder.parent)


def prepare_folder(folder: Path, files: Mapping[str, bytes]) -> Path:
    """A folder beside `folder` holding exactly `files`, written and read back, ready to
    take its place (`place_folder`). A close prepares its outputs before it commits
    its record: a full disk stops it before anything is closed."""
    try:
        staging = staging_folder(folder)
        fill(staging, files)
    except OSError as error:
        raise OutputError(
            f"{folder}: cannot write the outputs ({error.strerror}); nothing was closed and"
            f" the previous outputs are unchanged. {what_to_do(error)}"
        ) from None
    return staging


def place_folder(staging: Path, folder: Path) -> None:
    """Let a prepared folder take the place of `folder` (renames only); an OSError when
    it cannot (the caller says what that means)."""
    swap(staging, folder)
    sweep_leftovers(folder.parent)


def what_to_do(error: OSError) -> str:
    """What a finance officer can do about an output that cannot be written."""
    if error.errno == errno.ENOSPC:
        return "Make room on the disk, then run again."
    if error.errno == errno.EROFS:
        return "The disk is read-only: choose another folder with --out."
    if error.errno in (errno.EACCES, errno.EPERM):
        return (
            "Close the outputs if one is open (report.xlsx in Excel) and check that you may"
            " write in this folder, then run again."
        )
    return "Close the outputs if one is open in another program, then run again."
