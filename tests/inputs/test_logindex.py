"""The log cache's index: which log file a command will parse, told without polars."""

from __future__ import annotations

import json
from pathlib import Path

from fundcalc.inputs.logindex import CACHE, entries, first_to_parse


def keep(out: Path, *names: str) -> None:
    """Entries naming `names`, as the cache writes them (only `file` matters here)."""
    folder = out / CACHE
    folder.mkdir(parents=True, exist_ok=True)
    for i, name in enumerate(names):
        (folder / f"{i}.json").write_text(json.dumps({"file": name, "reader": "any"}))


def test_the_first_file_of_a_name_the_cache_keeps_no_entry_of_is_parsed(tmp_path: Path) -> None:
    files = [tmp_path / n for n in ("2026-09.csv", "2026-10.csv", "2026-11.csv")]
    assert first_to_parse(tmp_path, files) == files[0]  # no cache yet
    keep(tmp_path, "2026-09.csv")
    assert first_to_parse(tmp_path, files) == files[1]
    keep(tmp_path, "2026-09.csv", "2026-10.csv", "2026-11.csv")
    assert first_to_parse(tmp_path, files) is None


def test_a_damaged_entry_names_no_file(tmp_path: Path) -> None:
    keep(tmp_path, "a.csv")
    (tmp_path / CACHE / "broken.json").write_text("{not json")
    (tmp_path / CACHE / "list.json").write_text("[1, 2]")
    assert entries(tmp_path / CACHE) == [{"file": "a.csv", "reader": "any"}]
    assert first_to_parse(tmp_path, [tmp_path / "a.csv", tmp_path / "b.csv"]) == tmp_path / "b.csv"
