"""The seeded generator of synthetic logs (benchmarks/generate.py)."""

from __future__ import annotations

import csv
import hashlib
from datetime import date
from pathlib import Path

import polars as pl
import pytest

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


def _spoiled(log: pl.DataFrame) -> pl.DataFrame:
    """One row per placement: whether its versions show each kind of dirt."""
    start = pl.col("start_date").str.to_date("%Y-%m-%d", strict=False)
    end = pl.col("end_date").str.to_date("%Y-%m-%d", strict=False)
    return log.group_by("placement_id").agg(
        pl.col("client_id").str.contains("^[=+@-]").all().alias("formula_clients"),
        pl.col("lot_id").str.starts_with("ONBEKEND-").all().alias("unknown_lots"),
        pl.coalesce("brp_municipality", "found_municipality")
        .str.starts_with("GM99")
        .all()
        .alias("unknown_municipalities"),
        (end == start).fill_null(False).all().alias("same_day"),
        (end < start).fill_null(False).all().alias("end_before_start"),
        (pl.col("start_date") == "#####").all().alias("unreadable_dates"),
    )


def test_a_dirty_log_spoils_exactly_its_share_of_placements_each_way(tmp_path: Path) -> None:
    clean, dirty = tmp_path / "clean", tmp_path / "dirty"
    generate.write_large(ROOT / "rules", clean, 4_000, years=1, seed=5)
    generate.write_large(ROOT / "rules", dirty, 4_000, years=1, seed=5, dirt=generate.Dirt())
    before = pl.read_csv(clean / "placements" / "log.csv", infer_schema=False)
    after = pl.read_csv(dirty / "placements" / "log.csv", infer_schema=False)
    placements = before["placement_id"].n_unique()
    assert placements == 4_033
    wanted = generate.Dirt().counts(placements)
    assert wanted == {
        "formula_clients": 81,
        "unknown_lots": 40,
        "unknown_municipalities": 81,
        "same_day": 121,
        "end_before_start": 40,
        "conflicts": 40,
        "voids": 40,
        "unreadable_dates": 202,
    }
    # Every version of a spoiled placement shows its dirt, and no clean one does.
    spoiled = _spoiled(after).join(_spoiled(before), on="placement_id", suffix="_before")
    for kind in ("formula_clients", "unknown_lots", "unknown_municipalities", "same_day",
                 "end_before_start", "unreadable_dates"):  # fmt: skip
        assert (spoiled[kind] & ~spoiled[f"{kind}_before"]).sum() == wanted[kind], kind
    # A conflict and a void each add one version, on the placement's last day or after it.
    assert after.height == before.height + wanted["conflicts"] + wanted["voids"]
    added = after.slice(before.height)
    assert (added["void"] == "true").sum() == wanted["voids"]
    same_day = pl.struct("placement_id", "recorded_on").is_duplicated()
    assert after.filter(same_day).height - before.filter(same_day).height == 2 * wanted["conflicts"]
    # The kinds do not overlap: each spoiled placement is spoiled one way.
    assert added["placement_id"].n_unique() == added.height


def test_dirt_that_adds_up_to_more_than_every_placement_is_refused() -> None:
    with pytest.raises(ValueError, match="more than every placement"):
        generate.Dirt(same_day=0.6, voids=0.5).counts(100)


def test_a_dirty_log_is_the_same_every_time_for_the_same_seed(tmp_path: Path) -> None:
    dirt = generate.Dirt(unknown_lots=0.1, conflicts=0.05)
    for name in ("one", "two"):
        generate.write_large(ROOT / "rules", tmp_path / name, 1_000, years=1, seed=3, dirt=dirt)
    assert _digest(tmp_path / "one" / "placements") == _digest(tmp_path / "two" / "placements")
