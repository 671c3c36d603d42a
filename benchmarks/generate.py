"""A seeded generator of synthetic placement logs, for the shipped sample and benchmarks.

    python benchmarks/generate.py sample                      # rewrites inputs/placements/
    python benchmarks/generate.py large --placements 1000000 --out DIR [--seed 7] [--years 2]
    python benchmarks/generate.py large --placements 1000000 --out DIR --dirty [--unknown-lots 0.01]

Everything is synthetic and illustrative: real CBS codes from `rules/`,
invented placements. The same seed always gives the same files.

The sample is an append-only log as finance officers receive it: one delivery
a month (`inputs/placements/YYYY-MM.csv`, one as `.xlsx`), a placement's first
version recorded early in the month after her arrival, a later version with
her departure, a few corrections and voids, unregistered victims found in a
municipality, COSM stays with reflection periods, the odd transfer between
providers, and a handful of broken rows so the exception report is not empty.

Large logs repeat a block of generated placements with shifted dates and
identifiers, vectorised in polars, so ten million placements take seconds.
A dirty large log (`--dirty`) then spoils exact shares of its placements the
way a messy delivery does (`Dirt`): formula-like client ids, unknown lots and
municipalities, same-day stays, stays ending before they start, conflicting
versions and voids, each share a parameter.
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import sys
import tomllib
import zipfile
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from datetime import date, datetime, timedelta
from pathlib import Path

import polars as pl

from fundcalc.inputs.log import COLUMNS

ROOT = Path(__file__).resolve().parent.parent

#: Placements a year per group, and the range of a stay's length in days.
YEARLY = {
    "EGG_JONG": 180,
    "EGG_ACUUT": 560,
    "LOVERBOY": 270,
    "DREIGING": 290,
    "STALKING": 190,
    "COSM": 175,
}
LENGTH = {
    "EGG_JONG": (20, 100),
    "EGG_ACUUT": (1, 12),
    "LOVERBOY": (20, 80),
    "DREIGING": (14, 75),
    "STALKING": (10, 60),
    "COSM": (40, 170),
}
SAMPLE_FROM = date(2024, 1, 1)
SAMPLE_TO = date(2026, 11, 1)  # stays start before this day
SAMPLE_SEED = 20_261_123


@dataclass(frozen=True)
class LotInfo:
    """What the generator needs of a lot: its group and when it has terms."""

    id: str
    group: str
    valid_from: date
    valid_to: date | None

    def open_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day < self.valid_to)


@dataclass(frozen=True)
class World:
    """The parts of the rules the generator draws from."""

    lots: tuple[LotInfo, ...]
    regions: dict[str, list[str]]  # centrumgemeente → its municipality codes (current)
    weights: dict[str, float]  # centrumgemeente → weight in the first key
    merged: dict[str, list[str]]  # centrumgemeente → codes ended by a merger


@dataclass(frozen=True)
class Version:
    """One row of the log, as text."""

    placement_id: str
    client_id: str
    lot_id: str
    start_date: date
    end_date: date | None
    brp_municipality: str
    found_municipality: str
    reflection_start: date | None
    reflection_end: date | None
    void: bool
    recorded_on: date


def load_world(rules: Path) -> World:
    """Read lots, the key and the municipalities from a rules folder."""
    arrangement = tomllib.loads((rules / "arrangement.toml").read_text(encoding="utf-8"))
    lots = tuple(
        LotInfo(
            lot["id"],
            lot["group"],
            min(t["valid_from"] for t in lot["terms"]),
            lot.get("valid_to"),
        )
        for lot in arrangement["lot"]
    )
    weights = {code: float(w) for code, w in arrangement["key"][0]["weights"].items()}
    regions: dict[str, list[str]] = defaultdict(list)
    merged: dict[str, list[str]] = defaultdict(list)
    with (rules / "municipalities.csv").open(encoding="utf-8-sig", newline="") as stream:
        for row in csv.DictReader(stream):
            target = merged if row["valid_to"] else regions
            target[row["centrumgemeente_code"]].append(row["municipality_code"])
    return World(lots, dict(regions), weights, dict(merged))


def _first_of_next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _delivery(day: date, rng: random.Random) -> date:
    """The day a fact of `day` reaches the finance officer: early the next month."""
    return _first_of_next_month(day) + timedelta(days=rng.randint(1, 5))


def _municipality(world: World, rng: random.Random) -> str:
    centrumgemeente = rng.choices(list(world.weights), weights=list(world.weights.values()))[0]
    if world.merged.get(centrumgemeente) and rng.random() < 0.04:
        return rng.choice(
            world.merged[centrumgemeente]
        )  # an old code, still in a provider's system
    return rng.choice(world.regions[centrumgemeente])


def placements(
    world: World, start: date, end: date, seed: int, scale: float = 1.0
) -> list[Version]:
    """Every version of every placement whose stay starts in [start, end).

    Versions recorded after `end` are left out: the log is as of early `end`.
    """
    rng = random.Random(seed)
    days = (end - start).days
    versions: list[Version] = []
    number = 0
    cut_off = _delivery(end - timedelta(days=1), random.Random(seed + 1))
    for group, yearly in YEARLY.items():
        count = round(yearly * scale * days / 365.25)
        for _ in range(count):
            arrival = start + timedelta(days=rng.randrange(days))
            open_lots = [lot for lot in world.lots if lot.group == group and lot.open_on(arrival)]
            if not open_lots:
                continue
            number += 1
            pid = f"PL-{arrival.year}-{number:06d}"
            client = f"CL-{rng.getrandbits(40):010x}"
            lot = rng.choice(open_lots)
            versions += _stay(world, rng, pid, client, lot, arrival=arrival, group=group)
            if group != "EGG_ACUUT" and rng.random() < 0.02:  # a transfer to another lot
                departure = versions[-1].end_date
                others = [
                    lot
                    for lot in world.lots
                    if lot.group == group and departure is not None and lot.open_on(departure)
                ]
                if departure is not None and others:
                    number += 1
                    versions += _stay(
                        world,
                        rng,
                        f"PL-{departure.year}-{number:06d}",
                        client,
                        rng.choice(others),
                        arrival=departure,
                        group=group,
                    )
    return [v for v in versions if v.recorded_on <= cut_off]


def _stay(
    world: World,
    rng: random.Random,
    pid: str,
    client: str,
    lot: LotInfo,
    *,
    arrival: date,
    group: str,
) -> list[Version]:
    """The versions of one stay: as first reported, then completed, corrected or voided."""
    low, high = LENGTH[group]
    length = rng.randint(low, high) if rng.random() > 0.01 else rng.randint(370, 420)
    departure = arrival + timedelta(days=length)
    # Most fund clients are in the BRP; most COSM clients (non-Dutch victims) are not.
    registered = rng.random() > (0.80 if group == "COSM" else 0.10)
    code = _municipality(world, rng)
    brp, found = (code, "") if registered else ("", code)
    reflection_start = reflection_end = None
    if group == "COSM":
        reflection_start = arrival - timedelta(days=rng.randint(0, 10) if rng.random() < 0.2 else 0)
        if rng.random() < 0.15:
            reflection_end = reflection_start + timedelta(days=rng.randint(20, 80))
    first = Version(
        pid, client, lot.id, arrival, None, brp, found, reflection_start, reflection_end, False,
        _delivery(arrival, rng),
    )  # fmt: skip
    if departure < first.recorded_on:
        first = replace(first, end_date=departure)
    versions = [first]
    if first.end_date is None:
        versions.append(replace(first, end_date=departure, recorded_on=_delivery(departure, rng)))
    roll = rng.random()
    last = versions[-1]
    if roll < 0.01:
        versions.append(replace(last, void=True, recorded_on=_delivery(last.recorded_on, rng)))
    elif roll < 0.06:
        shifted = last.start_date + timedelta(days=rng.choice([-3, -2, -1, 1, 2]))
        fix = replace(last, start_date=shifted, recorded_on=_delivery(last.recorded_on, rng))
        if fix.end_date is not None and fix.end_date < fix.start_date:
            fix = replace(fix, end_date=fix.start_date)
        versions.append(fix)
    return versions


def _text(day: date | None, dutch: bool) -> str:
    if day is None:
        return ""
    return day.strftime("%d-%m-%Y") if dutch else day.isoformat()


def rows_as_text(versions: Sequence[Version], *, dutch: bool) -> list[list[str]]:
    """Versions as rows of text, dates ISO or Dutch."""
    return [
        [
            v.placement_id,
            v.client_id,
            v.lot_id,
            _text(v.start_date, dutch),
            _text(v.end_date, dutch),
            v.brp_municipality,
            v.found_municipality,
            _text(v.reflection_start, dutch),
            _text(v.reflection_end, dutch),
            ("ja" if v.void else "nee") if dutch else ("true" if v.void else "false"),
            _text(v.recorded_on, dutch),
        ]
        for v in versions
    ]


def bad_rows(versions: Sequence[Version], delivery: date) -> list[list[str]]:
    """The few broken rows a real month brings, in the delivery of `delivery`."""
    base = next(v for v in versions if v.recorded_on.month == delivery.month)
    on = delivery.isoformat()
    row = rows_as_text([base], dutch=False)[0]
    start = base.start_date.isoformat()

    def broken(pid: str, lot: str, code: str, *, begin: str = start, end: str = "") -> list[str]:
        return [pid, f"CL-{pid[-6:]}", lot, begin, end, code, "", "", "", "false", on]

    return [
        broken("PL-X-000001", "LOV-OOST", "GM0363"),  # a lot that does not exist
        broken("PL-X-000002", "STALK-OOST", "GM0599", begin="31-02-2025"),  # no such date
        broken("", "DREIG-WEST", "GM0518"),  # no placement_id
        broken("PL-X-000004", "DREIG-WEST", "GM0344"),  # two different versions
        broken("PL-X-000004", "DREIG-WEST", "GM0307"),  # on the same day
        broken(
            "PL-X-000006", "EGG-JONG-MIDDEN", "GM0014", end="2024-01-02"
        ),  # ends before it starts
        [*row[:9], "misschien", on],  # void neither yes nor no
    ]


def write_csv(path: Path, rows: Sequence[Sequence[str]], *, dutch: bool) -> None:
    """A delivery as Dutch Excel writes it (semicolons, BOM, CRLF) or plain CSV."""
    buffer = io.StringIO()
    writer = csv.writer(
        buffer, delimiter=";" if dutch else ",", lineterminator="\r\n" if dutch else "\n"
    )
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    path.write_text(("\ufeff" if dutch else "") + buffer.getvalue(), encoding="utf-8", newline="")


def write_xlsx(path: Path, versions: Sequence[Version]) -> None:
    """A delivery typed into Excel: real date cells, stable document and zip times."""
    import openpyxl
    from openpyxl.writer.excel import ExcelWriter

    from fundcalc.report.sheets import stable_zip  # the workbook's own byte-stable zip

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Plaatsingen"
    sheet.append(list(COLUMNS))
    for v in versions:
        sheet.append(
            [
                v.placement_id, v.client_id, v.lot_id, v.start_date, v.end_date,
                v.brp_municipality or None, v.found_municipality or None,
                v.reflection_start, v.reflection_end, v.void, v.recorded_on,
            ]
        )  # fmt: skip
    for cells in sheet.iter_cols(min_col=4, max_col=5):
        for cell in cells[1:]:
            cell.number_format = "DD-MM-YYYY"
    fixed = datetime(2025, 6, 3, 9, 0, 0)
    workbook.properties.created = fixed
    workbook.properties.modified = fixed
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        ExcelWriter(workbook, archive).save()  # Workbook.save would stamp the current time
    path.write_bytes(stable_zip(buffer.getvalue(), fixed))


def write_sample(rules: Path, folder: Path, seed: int = SAMPLE_SEED) -> int:
    """Rewrite the shipped sample log in `folder`; returns the number of rows."""
    world = load_world(rules)
    versions = placements(world, SAMPLE_FROM, SAMPLE_TO, seed)
    by_month: dict[date, list[Version]] = defaultdict(list)
    for version in sorted(versions, key=lambda v: (v.recorded_on, v.placement_id, v.void)):
        by_month[version.recorded_on.replace(day=1)].append(version)
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*"):
        if old.suffix.lower() in {".csv", ".xlsx"}:
            old.unlink()
    rows = 0
    for index, (month, monthly) in enumerate(sorted(by_month.items())):
        name = f"{month:%Y-%m}"
        if name == "2025-06":
            write_xlsx(folder / f"{name}.xlsx", monthly)
            rows += len(monthly)
            continue
        dutch = index % 4 == 1
        text = rows_as_text(monthly, dutch=dutch)
        if name == "2026-09":
            text += bad_rows(monthly, monthly[0].recorded_on)
        write_csv(folder / f"{name}.csv", text, dutch=dutch)
        rows += len(text)
    return rows


def write_large(
    rules: Path,
    folder: Path,
    placements_wanted: int,
    years: int,
    seed: int,
    *,
    dirt: Dirt | None = None,
) -> int:
    """A large log in `folder`/placements/log.csv (`folder` serves as `--inputs`).

    A generated block of placements is repeated with shifted ids and dates;
    with `dirt`, the whole log is then spoiled by `spoil`.
    """
    world = load_world(rules)
    end = date(2026, 1, 1)
    start = end - timedelta(days=round(365.25 * years))
    yearly = sum(YEARLY.values())
    block_placements = min(placements_wanted, 100_000)
    scale = block_placements / (yearly * years)
    block = pl.DataFrame(
        rows_as_text(placements(world, start, end, seed, scale=scale), dutch=False),
        schema=list(COLUMNS),
        orient="row",
    )
    per_block = block["placement_id"].n_unique()
    copies = -(-placements_wanted // per_block)
    dates = ["start_date", "end_date", "reflection_start", "reflection_end", "recorded_on"]
    parts = []
    for copy in range(copies):
        shift = (copy * 7) % 29 - 14  # days; keeps the same months in view
        parts.append(
            block.with_columns(
                pl.col("placement_id") + f"-{copy:04d}",
                pl.col("client_id") + f"-{copy:04d}",
                *(
                    (pl.col(c).str.to_date("%Y-%m-%d", strict=False) + timedelta(days=shift))
                    .dt.to_string("%Y-%m-%d")
                    .fill_null("")
                    .alias(c)
                    for c in dates
                ),
            )
        )
    log = pl.concat(parts).with_columns(pl.all().replace("", None))
    if dirt is not None:
        log = spoil(log, dirt, seed)
    (folder / "placements").mkdir(parents=True, exist_ok=True)
    log.write_csv(folder / "placements" / "log.csv")
    return log.height


@dataclass(frozen=True)
class Dirt:
    """The share of a log's placements spoiled in each way; the shares do not overlap.

    Each spoils every version of the placements it draws (chosen by the seed):

    * `formula_clients`: a client id that Excel would read as a formula (`=`, `+`, `-`, `@`);
    * `unknown_lots`: a lot the rules do not know (`ONBEKEND-0` … `ONBEKEND-4`);
    * `unknown_municipalities`: a municipality code not in `municipalities.csv` (`GM99xx`);
    * `same_day`: a stay that ends the day it starts, in every version (one day, charged);
    * `end_before_start`: a departure three days before the arrival (rejected);
    * `conflicts`: a second, different version on the day of her last one (rejected);
    * `voids`: a last version that withdraws the placement, a week after the one before;
    * `unreadable_dates`: an arrival saved as `#####` (Excel's too-narrow date column,
      written as shown): the placement is rejected.

    A placement rejected as a whole whose stay cannot be told (a conflict, a stay
    ending before it starts, a date that cannot be read) is an exception in every
    month's run until it is corrected; unknown lots and municipalities reject only
    the days of the stays touching the month (about a tenth of a two-year log). So
    the default dirt gives a month of the 1 M log more than 50,000 findings.
    """

    formula_clients: float = 0.02
    unknown_lots: float = 0.01
    unknown_municipalities: float = 0.02
    same_day: float = 0.03
    end_before_start: float = 0.01
    conflicts: float = 0.01
    voids: float = 0.01
    unreadable_dates: float = 0.05

    def counts(self, placements: int) -> dict[str, int]:
        """How many of `placements` placements each kind of dirt spoils (rounded)."""
        wanted = {f.name: round(getattr(self, f.name) * placements) for f in fields(self)}
        if sum(wanted.values()) > placements:
            raise ValueError("the shares of dirt add up to more than every placement")
        return wanted


def spoil(log: pl.DataFrame, dirt: Dirt, seed: int) -> pl.DataFrame:
    """`log` (every column text, ISO dates) with `dirt` laid over its placements.

    The placements spoiled are drawn with `random.Random(seed)` from the ids in
    the order they first appear, so the same log, dirt and seed give the same
    rows. Rows keep their order; conflicting and voiding versions follow the
    log's rows.
    """
    ids = log["placement_id"].unique(maintain_order=True)
    counts = dirt.counts(ids.len())
    drawn = random.Random(seed).sample(range(ids.len()), sum(counts.values()))
    kinds = [kind for kind, n in counts.items() for _ in range(n)]
    chosen = pl.DataFrame(
        {
            "placement_id": ids.gather(drawn),
            "_dirt": pl.Series(kinds, dtype=pl.String),
            "_n": pl.int_range(len(drawn), eager=True, dtype=pl.Int64),
        }
    )
    marked = log.join(chosen, on="placement_id", how="left", maintain_order="left")
    dirt_is = pl.col("_dirt").eq
    start = pl.col("start_date").str.to_date("%Y-%m-%d")

    def iso(day: pl.Expr) -> pl.Expr:
        return day.dt.to_string("%Y-%m-%d")

    prefix = pl.col("_n") % 4
    formula = (
        pl.when(prefix == 0).then(pl.lit("=")).when(prefix == 1).then(pl.lit("+"))
        .when(prefix == 2).then(pl.lit("-")).otherwise(pl.lit("@"))
    )  # fmt: skip
    unknown_code = pl.lit("GM99") + (pl.col("_n") % 100).cast(pl.String).str.zfill(2)
    spoiled = marked.with_columns(
        pl.when(dirt_is("formula_clients"))
        .then(formula + pl.col("client_id"))
        .otherwise(pl.col("client_id"))
        .alias("client_id"),
        pl.when(dirt_is("unknown_lots"))
        .then(pl.lit("ONBEKEND-") + (pl.col("_n") % 5).cast(pl.String))
        .otherwise(pl.col("lot_id"))
        .alias("lot_id"),
        pl.when(dirt_is("unknown_municipalities") & pl.col("brp_municipality").is_not_null())
        .then(unknown_code)
        .otherwise(pl.col("brp_municipality"))
        .alias("brp_municipality"),
        pl.when(dirt_is("unknown_municipalities") & pl.col("brp_municipality").is_null())
        .then(unknown_code)
        .otherwise(pl.col("found_municipality"))
        .alias("found_municipality"),
        pl.when(dirt_is("unreadable_dates"))
        .then(pl.lit("#####"))
        .otherwise(pl.col("start_date"))
        .alias("start_date"),
        pl.when(dirt_is("same_day"))
        .then(pl.col("start_date"))
        .when(dirt_is("end_before_start"))
        .then(iso(start - timedelta(days=3)))
        .otherwise(pl.col("end_date"))
        .alias("end_date"),
    )
    last = (
        spoiled.filter(dirt_is("conflicts") | dirt_is("voids"))
        .sort("placement_id", "recorded_on", maintain_order=True)
        .unique("placement_id", keep="last", maintain_order=True)
    )
    recorded = pl.col("recorded_on").str.to_date("%Y-%m-%d")
    end = pl.col("end_date").str.to_date("%Y-%m-%d")
    extra = last.with_columns(
        pl.when(dirt_is("conflicts"))
        .then(iso(pl.coalesce(end, start) + timedelta(days=1)))
        .otherwise(pl.col("end_date"))
        .alias("end_date"),
        pl.when(dirt_is("voids")).then(pl.lit("true")).otherwise(pl.col("void")).alias("void"),
        pl.when(dirt_is("voids"))
        .then(iso(recorded + timedelta(days=7)))
        .otherwise(pl.col("recorded_on"))
        .alias("recorded_on"),
    )
    return pl.concat([spoiled, extra.sort("_n")]).drop("_dirt", "_n")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    sample = commands.add_parser("sample", help="rewrite the shipped sample in inputs/placements/")
    sample.add_argument("--rules", type=Path, default=ROOT / "rules")
    sample.add_argument("--out", type=Path, default=ROOT / "inputs" / "placements")
    large = commands.add_parser("large", help="write a large log for benchmarks")
    large.add_argument("--rules", type=Path, default=ROOT / "rules")
    large.add_argument("--placements", type=int, required=True)
    large.add_argument("--years", type=int, default=2)
    large.add_argument("--seed", type=int, default=7)
    large.add_argument(
        "--out", type=Path, required=True, help="inputs folder: the log is OUT/placements/log.csv"
    )
    large.add_argument("--dirty", action="store_true", help="spoil the log (see Dirt)")
    for share in fields(Dirt):
        large.add_argument(
            f"--{share.name.replace('_', '-')}",
            type=float,
            default=share.default,
            help=f"with --dirty: the share of placements (default {share.default})",
        )
    args = parser.parse_args(argv)
    if args.command == "sample":
        rows = write_sample(args.rules, args.out)
    else:
        dirt = Dirt(**{f.name: getattr(args, f.name) for f in fields(Dirt)}) if args.dirty else None
        rows = write_large(args.rules, args.out, args.placements, args.years, args.seed, dirt=dirt)
    print(f"{rows} rows written to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
