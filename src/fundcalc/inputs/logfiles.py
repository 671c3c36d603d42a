"""Which files are the placement log: the entries of `inputs/placements/` named like one.

Apart from the reader (`log`) and free of polars, so that a command can name
the log's files, and have their checksums computed ahead
(`base.readahead`), while the reader and the calculation are still being
imported.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from fundcalc.base.disk import refusal
from fundcalc.errors import FundcalcError, InputError, not_in_project

#: The log's folder under the inputs folder.
FOLDER = "placements"
SUFFIXES = (".csv", ".xlsx")
#: Hidden files (an import being written) and Excel's lock files (`~$a.xlsx`,
#: there while a file is open in Excel) are no part of the log.
NOT_LOG = (".", "~$")


def log_entries(inputs: Path) -> list[Path]:
    """The entries of `inputs/placements/` named like log files, by name: regular
    files or not (`disk.refusal` tells); an InputError (or, without the folder,
    a UsageError saying where it looked)."""
    folder = inputs / FOLDER
    if refusal(folder) == "is a symbolic link" or (folder.exists() and not folder.is_dir()):
        raise InputError(
            f"{folder}: is a link or a file, not a folder (the placement log lives there)"
        )
    if not folder.is_dir():
        raise not_in_project("no placement log", folder, "--inputs FOLDER")
    return sorted(
        (
            p
            for p in folder.iterdir()
            if p.suffix.lower() in SUFFIXES and not p.name.startswith(NOT_LOG)
        ),
        key=lambda p: p.name,
    )


def log_files(inputs: Path) -> list[Path]:
    """The regular files of the log, by name; none where there is no log folder."""
    try:
        return [p for p in log_entries(inputs) if refusal(p) is None]
    except (FundcalcError, OSError):
        return []


def log_bytes(log: Sequence[Path]) -> int:
    """The size of the `log` files together, in bytes; a file gone since counts nothing
    (its read says so)."""
    size = 0
    for path in log:
        try:
            size += path.stat().st_size
        except OSError:
            continue
    return size
