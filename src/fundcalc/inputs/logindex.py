"""The log cache's index (`OUT/.cache/log/*.json`), read without polars.

Each entry of the cache (`logcache`) is a Parquet file of a log file's rows
and a JSON file that says which file they are. A command that will parse a
log file reads it whole ahead, while polars and fundcalc are still being
imported (`base.readahead`); which file that is, the JSON alone tells: a file
of a name the cache keeps no entry of, by whatever reader, is parsed whatever
its content (an entry's key holds the file's name).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

#: The cache's folder under the output folder.
CACHE = Path(".cache") / "log"


def entries(folder: Path) -> list[dict[str, Any]]:
    """What the entries in `folder` say of themselves, by name; a damaged one says
    nothing."""
    try:
        paths = sorted(folder.glob("*.json"))
    except OSError:
        return []
    found = []
    for path in paths:
        try:
            about = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(about, dict):
            found.append(about)
    return found


def first_to_parse(out_dir: Path, files: Sequence[Path]) -> Path | None:
    """The first of the log's `files` that the cache of the runs writing to `out_dir`
    keeps no entry of by name: it will be parsed. None when it keeps every name."""
    kept = {str(about.get("file")) for about in entries(out_dir / CACHE)}
    return next((path for path in files if path.name not in kept), None)
