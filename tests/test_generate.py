"""The seeded generator of synthetic logs (benchmarks/generate.py)."""

from __future__ import annotations

import csv
import hashlib
from datetime import date
from pathlib import Path

import polars as pl

from benchmarks import generate
from tests.conftest import ROOT


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_the_sample_is_the_same_every_time_it_is_generated(tmp_path: Path) -> None:
    generate.write_sample(ROOT / "rules", tmp_path / "one")
    generate.write_sample(ROOT / "rules", tmp_path / "two")
    assert _digest(tmp_path / "one") == _digest(tmp_path / "two")


def test_the_shipped_sample_is_what_the_generator_writes(tmp_path: Path) -> None:
    generate.write_sample(ROOT / "rules", tmp_path)
    assert _digest(tmp_path) == _digest(ROOT / "inputs" / "placements")


def test_sample_versions_use_known_lots_and_codes_and_later_recording_dates() -> None:
    world = generate.load_world(ROOT / "rules")
    versions = generate.placements(world, date(2024, 1, 1), date(2025, 1, 1), seed=3)
    lots = {lot.id for lot in world.lots}
    codes = {c for group in (*world.regions.values(), *world.merged.values()) for c in group}
    assert {v.lot_id for v in versions} <= lots
    assert {v.brp_municipality or v.found_municipality for v in versions} <= codes
    by_placement: dict[str, list[date]] = {}
    for version in versions:
        by_placement.setdefault(version.placement_id, []).append(version.recorded_on)
    assert all(days == sorted(days) for days in by_placement.values())
    assert all(len(set(days)) == len(days) for days in by_placement.values())
    assert 1_200 <= len(by_placement) <= 2_000


def test_a_large_log_has_the_placements_asked_for(tmp_path: Path) -> None:
    rows = generate.write_large(ROOT / "rules", tmp_path, 3_000, years=1, seed=5)
    log = pl.read_csv(tmp_path / "placements" / "log.csv", infer_schema=False)
    assert log.height == rows
    assert log["placement_id"].n_unique() >= 3_000
    with (tmp_path / "placements" / "log.csv").open() as stream:
        assert tuple(next(csv.reader(stream))) == generate.COLUMNS
