"""The fingerprint of the code that reads and validates input files.

A kept parse of a log file (`logcache`) and kept validated rules (`rulescache`)
hold only while the code that made them is the same: the source of every
module of the `inputs` and `base` packages (a module added later is covered
without being named). The sources are hashed whole, not by size and
modification time: it costs a millisecond next to a command, and an edit that
keeps both cannot slip through.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from functools import cache
from pathlib import Path

_INPUTS = Path(__file__).resolve().parent
#: The packages whose source the reading and validating code is.
READING_PACKAGES = (_INPUTS, _INPUTS.parent / "base")


def source_digest(folders: Sequence[Path]) -> str:
    """The SHA-256 of the Python modules in `folders`, each with its folder and name."""
    digest = hashlib.sha256()
    for folder in folders:
        for source in sorted(folder.glob("*.py")):
            data = source.read_bytes()
            digest.update(f"{folder.name}/{source.name} {len(data)}\0".encode())
            digest.update(data)
    return digest.hexdigest()


@cache
def reading_code() -> str:
    """The SHA-256 of the source of the `inputs` and `base` packages, computed once."""
    return source_digest(READING_PACKAGES)
