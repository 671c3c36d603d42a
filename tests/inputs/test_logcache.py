"""The cache of parsed log files: a cached read is exactly a parse, and never a stale one."""

from __future__ import annotations

import gc
import hashlib
import json
import os
import tempfile
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from fundcalc.base.readahead import ReadAhead
from fundcalc.cli import main
from fundcalc.inputs import logcache
from fundcalc.inputs.log import Log, read_log
from fundcalc.inputs.logcache import LogCache
from fundcalc.inputs.logindex import CACHE
from fundcalc.inputs.logindex import entries as logindex_entries
from tests.synthetic import write_hostile, write_sample

LOG_ROW = "P9,c9,EGG-JONG-MIDDEN,2026-10-01,,GM0014,,,,false,2026-10-02\n"
LOG_ROW_HEADER = (
    "placement_id,client_id,lot_id,start_date,end_date,brp_municipality,"
    "found_municipality,reflection_start,reflection_end,void,recorded_on\n"
)


def same(a: Log, b: Log) -> bool:
    return a.rows.equals(b.rows) and a.files == b.files and a.findings.equals(b.findings)


def cached_read(inputs: Path, folder: Path) -> Log:
    """Read the log with the cache in `folder`, then keep what was parsed (as a run does)."""
    cache = LogCache(folder)
    log = logcache.read_log(inputs, cache)
    cache.save()
    return log


def entries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    """The hostile log, and a file in Windows-1252 with an unknown column and a blank line."""
    _, inputs = write_hostile(tmp_path / "hostile")
    header = "placement_id,client_id,lot_id,start_date,end_date,brp_municipality,"
    header += "found_municipality,reflection_start,reflection_end,void,recorded_on,opmerking\n"
    extra = header + LOG_ROW.replace("\n", ",één\n") + ",,,,\n"
    (inputs / "placements" / "extra.csv").write_bytes(extra.encode("cp1252"))
    return inputs


@pytest.fixture
def cache(inputs: Path, tmp_path: Path) -> Path:
    """A cache folder that keeps every file of `inputs`, as one run leaves it."""
    folder = tmp_path / "cache"
    cached_read(inputs, folder)
    return folder


def test_a_cached_read_gives_the_rows_counts_and_warnings_of_a_parse(
    inputs: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    parsed = read_log(inputs)
    first = cached_read(inputs, cache)
    assert len(entries(cache)) == 2 * len(parsed.files)
    again = cached_read(inputs, cache)
    assert same(first, parsed) and same(again, parsed)
    assert parsed.findings.height > 0  # the warnings came from the cache the second time


def test_a_file_whose_bytes_changed_is_parsed_again_and_its_old_entry_removed(
    inputs: Path, cache: Path
) -> None:
    before = entries(cache)
    path = sorted((inputs / "placements").iterdir())[0]
    path.write_bytes(path.read_bytes() + LOG_ROW.encode())
    changed = cached_read(inputs, cache)
    assert same(changed, read_log(inputs))
    assert "P9" in changed.rows["placement_id"].to_list()
    after = entries(cache)
    assert len(after) == len(before) and len(set(after) - set(before)) == 2


def test_a_damaged_entry_is_parsed_again_and_replaced(inputs: Path, cache: Path) -> None:
    for rows in cache.glob("*.parquet"):
        rows.write_bytes(rows.read_bytes()[:-40])
    for about in list(cache.glob("*.json"))[:1]:
        about.write_text("{not json", encoding="utf-8")
    assert same(cached_read(inputs, cache), read_log(inputs))
    assert same(cached_read(inputs, cache), read_log(inputs))


def test_an_entry_that_matches_its_checksum_but_cannot_be_decoded_is_parsed_again(
    inputs: Path, cache: Path
) -> None:
    garbage = b"not parquet at all"
    for rows in cache.glob("*.parquet"):
        rows.write_bytes(garbage)
        about = rows.with_suffix(".json")
        entry = json.loads(about.read_text(encoding="utf-8"))
        entry["rows_sha256"] = hashlib.sha256(garbage).hexdigest()
        about.write_text(json.dumps(entry), encoding="utf-8")
    assert same(cached_read(inputs, cache), read_log(inputs))
    assert not any(p.read_bytes() == garbage for p in cache.glob("*.parquet"))  # replaced
    assert same(cached_read(inputs, cache), read_log(inputs))


def test_an_entry_of_the_former_format_with_warnings_as_text_is_parsed_again(
    inputs: Path, cache: Path
) -> None:
    # Format 5 kept a warning as its English text; format 6 as its code and values.
    for about in cache.glob("*.json"):
        entry = json.loads(about.read_text(encoding="utf-8"))
        assert entry["format"] == logcache.FORMAT == 7
        entry["format"] = 5
        entry["warnings"] = [
            [line, "unknown column 'opmerking' is ignored"] for line, *_ in entry["warnings"]
        ]
        about.write_text(json.dumps(entry), encoding="utf-8")
    assert same(cached_read(inputs, cache), read_log(inputs))
    formats = {json.loads(p.read_text(encoding="utf-8"))["format"] for p in cache.glob("*.json")}
    assert formats == {7}  # replaced


def test_an_entry_of_the_format_that_kept_every_column_is_parsed_again(
    inputs: Path, cache: Path
) -> None:
    # Format 6 kept every column in its Parquet and no first line.
    for about in cache.glob("*.json"):
        entry = json.loads(about.read_text(encoding="utf-8"))
        entry["format"] = 6
        del entry["first_line"]
        about.write_text(json.dumps(entry), encoding="utf-8")
    assert same(cached_read(inputs, cache), read_log(inputs))
    kept = [json.loads(p.read_text(encoding="utf-8")) for p in cache.glob("*.json")]
    assert {(entry["format"], "first_line" in entry) for entry in kept} == {(7, True)}


def test_a_warning_of_no_known_reason_makes_its_entry_parsed_again(
    inputs: Path, cache: Path
) -> None:
    warned = 0
    for about in cache.glob("*.json"):
        entry = json.loads(about.read_text(encoding="utf-8"))
        warned += bool(entry["warnings"])
        entry["warnings"] = [
            [line, "no_such_code", values] for line, _, values in entry["warnings"]
        ]
        about.write_text(json.dumps(entry), encoding="utf-8")
    assert warned
    assert same(cached_read(inputs, cache), read_log(inputs))


def test_the_reader_fingerprint_covers_the_cache_format(monkeypatch: pytest.MonkeyPatch) -> None:
    logcache.reader_fingerprint.cache_clear()
    current = logcache.reader_fingerprint()
    monkeypatch.setattr(logcache, "FORMAT", 5)
    logcache.reader_fingerprint.cache_clear()
    try:
        assert logcache.reader_fingerprint() != current
    finally:
        monkeypatch.undo()
        logcache.reader_fingerprint.cache_clear()
    assert logcache.reader_fingerprint() == current


def test_kept_files_are_decoded_together_in_the_order_of_the_files(
    inputs: Path, cache: Path
) -> None:
    (inputs / "placements" / "zz-new.csv").write_text(
        "placement_id,client_id,lot_id,start_date,end_date,brp_municipality,"
        "found_municipality,reflection_start,reflection_end,void,recorded_on\n" + LOG_ROW,
        encoding="utf-8",
    )
    (inputs / "placements" / "0-new.csv").write_text(
        (inputs / "placements" / "zz-new.csv").read_text(encoding="utf-8"), encoding="utf-8"
    )
    mixed = cached_read(inputs, cache)  # two parsed, before and after the kept ones
    assert same(mixed, read_log(inputs))
    assert (mixed.files[0].name, mixed.files[-1].name) == ("0-new.csv", "zz-new.csv")


def test_an_entry_names_the_columns_without_a_value_and_a_read_restores_them_as_nulls(
    inputs: Path, cache: Path
) -> None:
    path = inputs / "placements" / "extra.csv"
    sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
    kept = LogCache(cache).get(path.name, sha256)
    assert kept is not None
    assert "raw_start_date" in kept.empty and "placement_id" not in kept.empty
    rows = cached_read(inputs, cache).rows.filter(source="extra.csv")
    assert rows.height == 1
    assert rows.select(sorted(kept.empty)).null_count().row(0) == (1,) * len(kept.empty)
    assert same(cached_read(inputs, cache), read_log(inputs))


def test_an_entry_keeps_only_columns_with_a_value_and_counts_lines_that_follow_each_other(
    tmp_path: Path,
) -> None:
    header = LOG_ROW_HEADER
    second = LOG_ROW.replace("P9", "P8")
    inputs = tmp_path / "inputs"
    (inputs / "placements").mkdir(parents=True)
    (inputs / "placements" / "a.csv").write_text(header + LOG_ROW + second, encoding="utf-8")
    (inputs / "placements" / "b.csv").write_text(header + LOG_ROW + "\n" + second, encoding="utf-8")
    folder = tmp_path / "cache"
    cached_read(inputs, folder)
    kept = {}
    for name in ("a.csv", "b.csv"):
        sha256 = hashlib.sha256((inputs / "placements" / name).read_bytes()).hexdigest()
        entry = LogCache(folder).get(name, sha256)
        assert entry is not None
        kept[name] = entry
    assert (kept["a.csv"].first_line, kept["b.csv"].first_line) == (2, None)
    stored = {name: pl.read_parquet_schema(k.parquet).names() for name, k in kept.items()}
    assert "line" not in stored["a.csv"] and "line" in stored["b.csv"]
    for names in stored.values():
        assert "source" not in names and "raw_start_date" not in names and "lot_id" in names
    log = cached_read(inputs, folder)
    assert log.rows.select("source", "line").rows() == [
        ("a.csv", 2),
        ("a.csv", 3),
        ("b.csv", 2),
        ("b.csv", 4),
    ]
    assert same(log, read_log(inputs))


def test_a_file_changed_under_its_old_size_and_time_is_parsed_again_by_its_checksum(
    inputs: Path, cache: Path
) -> None:
    path = inputs / "placements" / "extra.csv"
    before = path.stat()
    data = path.read_bytes()
    changed = data.replace(b"2026-10-01", b"2026-10-09")
    assert changed != data and len(changed) == len(data)
    path.write_bytes(changed)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_mtime_ns == before.st_mtime_ns
    read = cached_read(inputs, cache)
    assert same(read, read_log(inputs))
    assert read.rows.filter(source="extra.csv")["start_date"].to_list() == [date(2026, 10, 9)]
    assert len(entries(cache)) == 2 * len(read.files)  # the old entry is gone
    assert same(cached_read(inputs, cache), read_log(inputs))


def test_entries_of_another_reader_are_not_used(
    inputs: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = set(entries(cache))
    monkeypatch.setattr(logcache, "reader_fingerprint", lambda: "another reader")
    cached_read(inputs, cache)
    assert not before & set(entries(cache))


def test_a_cache_that_cannot_be_written_does_not_stop_the_read(
    inputs: Path, tmp_path: Path
) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a folder", encoding="utf-8")
    assert same(cached_read(inputs, blocked / "cache"), read_log(inputs))


def test_run_keeps_the_cache_under_out_and_gives_the_same_outputs_as_without(
    tmp_path: Path,
) -> None:
    rules, inputs = write_sample(tmp_path / "sample")
    args = ["--rules", str(rules), "--inputs", str(inputs), "--period", "2026-10"]
    args += ["--as-of", "2026-11-23", "-q"]
    runner = CliRunner()
    for out in ("cold", "warm", "warm"):
        assert runner.invoke(main, ["run", *args, "--out", str(tmp_path / out)]).exit_code == 0
    fresh = ["run", *args, "--out", str(tmp_path / "fresh"), "--no-cache"]
    assert runner.invoke(main, fresh).exit_code == 0
    assert (tmp_path / "warm" / CACHE).is_dir() and not (tmp_path / "fresh" / CACHE).exists()
    for out in ("cold", "warm"):
        for name in entries(tmp_path / "fresh" / "2026-10"):
            written = (tmp_path / out / "2026-10" / name).read_bytes()
            assert written == (tmp_path / "fresh" / "2026-10" / name).read_bytes(), name


def test_a_close_takes_the_files_its_run_read_from_the_cache_and_archives_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rules, inputs = write_sample(tmp_path / "sample")
    args = ["--rules", str(rules), "--inputs", str(inputs), "--period", "2026-10"]
    args += ["--as-of", "2026-11-23", "-q"]
    runner = CliRunner()
    warm, cold = tmp_path / "warm", tmp_path / "cold"
    assert runner.invoke(main, ["run", *args, "--out", str(warm)]).exit_code == 0
    assert runner.invoke(main, ["close", *args, "--out", str(cold), "--no-cache"]).exit_code == 0
    assert not (cold / CACHE).exists()

    def no_parsing(*_: object) -> None:
        raise AssertionError("a file was parsed")

    with monkeypatch.context() as patched:
        patched.setattr("fundcalc.inputs.log.typed_file", no_parsing)
        closed = runner.invoke(main, ["close", *args, "--out", str(warm)])
    assert closed.exit_code == 0, closed.output
    for name in entries(cold / "2026-10"):  # as closed from the files themselves
        assert (warm / "2026-10" / name).read_bytes() == (cold / "2026-10" / name).read_bytes()
    for log_file in sorted((inputs / "placements").iterdir()):  # the files, archived whole
        sha256 = hashlib.sha256(log_file.read_bytes()).hexdigest()
        stored = warm / "archive" / "objects" / sha256[:2] / sha256
        assert stored.read_bytes() == log_file.read_bytes(), log_file.name
    replayed = runner.invoke(main, ["replay", "--period", "2026-10", "--out", str(warm)])
    assert replayed.exit_code == 0, replayed.output


def test_a_close_parses_the_files_not_in_the_cache_and_keeps_them_there(tmp_path: Path) -> None:
    rules, inputs = write_sample(tmp_path / "sample")
    out = tmp_path / "out"
    args = ["--rules", str(rules), "--inputs", str(inputs), "-q", "--out", str(out)]
    runner = CliRunner()
    october = ["--period", "2026-10", "--as-of", "2026-11-23"]
    assert runner.invoke(main, ["close", *args, *october]).exit_code == 0
    assert len(entries(out / CACHE)) == 2 * len(list((inputs / "placements").iterdir()))
    # The next month's close finds every file archived already and in the cache.
    november = ["--period", "2026-11", "--as-of", "2026-12-05"]
    assert runner.invoke(main, ["close", *args, *november]).exit_code == 0
    replayed = runner.invoke(main, ["replay", "--period", "2026-11", "--out", str(out)])
    assert replayed.exit_code == 0, replayed.output


def test_a_read_whose_run_fails_writes_nothing_and_leaves_no_encoded_rows(
    inputs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    folder = tmp_path / "cache"
    cache = LogCache(folder)
    logcache.read_log(inputs, cache)  # parsed and encoded, never saved
    del cache
    gc.collect()
    assert not folder.exists()
    assert list(scratch.iterdir()) == []


def test_a_saved_read_keeps_its_encoded_rows_and_leaves_none_behind(
    inputs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    read = cached_read(inputs, tmp_path / "cache")
    assert len(entries(tmp_path / "cache")) == 2 * len(read.files)
    assert list(scratch.iterdir()) == []
    assert same(cached_read(inputs, tmp_path / "cache"), read_log(inputs))


def test_checksums_computed_ahead_are_used_for_unchanged_files_only(
    inputs: Path, cache: Path
) -> None:
    path = inputs / "placements" / "extra.csv"
    ahead = ReadAhead([path])
    assert ahead.sha256(path) == hashlib.sha256(path.read_bytes()).hexdigest()
    path.write_bytes(path.read_bytes().replace(b"2026-10-01", b"2026-10-09"))
    assert ahead.sha256(path) is None  # changed since: read again
    read = logcache.read_log(inputs, LogCache(cache, ahead))
    assert read.rows.filter(source="extra.csv")["start_date"].to_list() == [date(2026, 10, 9)]


def test_the_cache_knows_the_names_of_the_files_it_keeps_whatever_their_content(
    inputs: Path, cache: Path
) -> None:
    kept = LogCache(cache)
    names = [p.name for p in (inputs / "placements").iterdir()]
    assert all(kept.knows(name) for name in names)
    assert not kept.knows("2026-11.csv")
    assert not LogCache(cache.parent / "no cache").knows(names[0])


def test_a_file_of_a_name_never_kept_is_parsed_without_waiting_for_its_checksum(
    inputs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[Path] = []

    def sha256(self: LogCache, path: Path) -> str:
        asked.append(path)
        return hashlib.sha256(path.read_bytes()).hexdigest()

    monkeypatch.setattr(LogCache, "sha256", sha256)
    first = cached_read(inputs, tmp_path / "cache")
    assert asked == []  # no entry could have matched: the parse hashed what it read
    assert same(first, read_log(inputs))
    path = inputs / "placements" / "extra.csv"
    path.write_bytes(path.read_bytes() + b"\n")  # a name kept, another stamp: looked up
    assert same(cached_read(inputs, tmp_path / "cache"), read_log(inputs))
    # Each file's checksum now: looked up by it (extra.csv), or proving a guess.
    assert sorted(asked) == sorted((inputs / "placements").iterdir())


def test_a_file_read_whole_ahead_is_parsed_from_those_bytes_with_their_stamp_and_checksum(
    inputs: Path, tmp_path: Path
) -> None:
    path = inputs / "placements" / "extra.csv"
    before = path.stat()
    ahead = ReadAhead(sorted((inputs / "placements").iterdir()), whole=path)
    ahead.sha256(path)  # read and hashed
    read_ahead = path.read_bytes()
    path.write_bytes(read_ahead.replace(b"2026-10-01", b"2026-10-09"))  # changed since
    cache = LogCache(tmp_path / "cache", ahead)
    log = logcache.read_log(inputs, cache, keep_bytes=True)
    cache.save()
    assert log.rows.filter(source="extra.csv")["start_date"].to_list() == [date(2026, 10, 1)]
    sha256 = hashlib.sha256(read_ahead).hexdigest()
    assert next(f for f in log.files if f.name == "extra.csv").sha256 == sha256
    assert log.data[sha256] == read_ahead  # a close archives the very bytes parsed
    (entry,) = (e for e in logindex_entries(tmp_path / "cache") if e["file"] == "extra.csv")
    assert (entry["size"], entry["mtime_ns"]) == (before.st_size, before.st_mtime_ns)
