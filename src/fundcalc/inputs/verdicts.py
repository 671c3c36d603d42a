"""The verdicts of the eligibility check (*toetsing*, §11): `inputs/eligibility/`.

The independent body that checks the sample sends its verdicts back as a
CSV or as the filled-in `steekproef.xlsx` fundcalc gave it. Every `.csv` and
`.xlsx` file in `inputs/eligibility/` is read with the log's readers (the
same encodings, separators, trimming and safe xlsx): one row per verdict,
`placement_id,eligible,decided_on,reference`.

- `eligible`: `ja`/`nee`, `true`/`false` or `1`/`0` (any case); anything
  else, empty included, cannot be read;
- `decided_on`: an ISO or Dutch date, required;
- `reference`: the body's reference (*kenmerk*), optional text.

The Dutch headers of `steekproef.xlsx` (`Plaatsing`, `Doelgroep ja/nee`,
`Datum oordeel`, `Kenmerk`, `Steekproef`) name the same columns, so the
workbook comes back as it went out; its other columns (what the reviewer
was shown) are known and ignored. `Steekproef` (`sample`) names the sample a
row was drawn in (`2026-1a2b3c4d`): the run counts the sample's size from it.

A row that cannot be read keeps its reason in `problem` and is an exception
(`core.verdicts`); nothing is dropped silently. Which verdict is in force is
decided in `core.verdicts`, as of the run's date.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from fundcalc.base.findings import file_warnings, finding_frame
from fundcalc.base.reasons import (
    ELIGIBLE_EMPTY,
    ELIGIBLE_UNREADABLE,
    NO_VALUE,
    NOT_A_DATE,
    PARTS,
    TOO_LONG,
    reasons_by,
)
from fundcalc.inputs.fields import MAX_TEXT, parse_date
from fundcalc.inputs.log import IGNORED, by_column, read_bytes, read_table
from fundcalc.inputs.logfiles import NOT_LOG, SUFFIXES
from fundcalc.inputs.table import LINE, READ_PROBLEM

FOLDER = "eligibility"
#: The columns of a verdict (§11), then the sample it was drawn in (fundcalc's own).
COLUMNS = ("placement_id", "eligible", "decided_on", "reference", "sample")
#: The Dutch headers of steekproef.xlsx, by the column they name.
DUTCH = {
    "plaatsing": "placement_id",
    "doelgroep ja/nee": "eligible",
    "datum oordeel": "decided_on",
    "kenmerk": "reference",
    "steekproef": "sample",
}
#: Columns of the sample and of steekproef.xlsx that a verdict file may carry along:
#: what the reviewer was shown, ignored without a warning.
SHOWN = frozenset(
    {
        "rank",
        "client_id",
        "lot_id",
        "group",
        "centrumgemeente",
        "first_day",
        "last_day",
        "fund_days",
        "fund_cents",
        "nr",
        "rang (sha-256)",
        "cliënt",
        "perceel",
        "aanbieder",
        "doelgroep",
        "naam centrumgemeente",
        "eerste fondsdag",
        "laatste fondsdag",
        "fondsdagen",
        "kosten fonds",
    }
)
ELIGIBLE = {"ja": True, "true": True, "1": True, "nee": False, "false": False, "0": False}

#: The typed verdict rows: where they are, what they say, why one cannot be read.
SCHEMA: dict[str, pl.DataType] = {
    "source": pl.String(),
    "line": pl.Int64(),
    "placement_id": pl.String(),
    "eligible": pl.Boolean(),
    "decided_on": pl.Date(),
    "reference": pl.String(),
    "sample": pl.String(),
    "raw_eligible": pl.String(),
    "raw_decided_on": pl.String(),
    "problem": PARTS,
}


def verdict_column(header: str) -> str | None:
    """The verdict column a header names (English or Dutch, any case), `IGNORED` for
    a column of the sample carried along, None for an unknown one."""
    name = header.strip().lower()
    if name in COLUMNS:
        return name
    if name in DUTCH:
        return DUTCH[name]
    if name in SHOWN:
        return IGNORED
    return None


@dataclass(frozen=True)
class VerdictFile:
    """A file of `inputs/eligibility/`: its name there, SHA-256 and rows."""

    name: str
    sha256: str
    rows: int


@dataclass(frozen=True)
class VerdictInput:
    """Every verdict row read (`SCHEMA`), the files, and file-level warnings.

    `present` says whether `inputs/eligibility/` exists at all: without it
    there is no eligibility check to report on.
    """

    rows: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=SCHEMA))
    files: tuple[VerdictFile, ...] = ()
    findings: pl.DataFrame = field(default_factory=finding_frame)
    present: bool = False
    #: The bytes of the files, by SHA-256 (a close archives them).
    data: dict[str, bytes] = field(default_factory=dict, repr=False)


def verdict_files(inputs: Path) -> list[Path]:
    """The files under `inputs/eligibility/`, in a stable order (none without the folder)."""
    folder = inputs / FOLDER
    if not folder.is_dir():
        return []
    return sorted(
        (
            p
            for p in folder.iterdir()
            if p.is_file() and p.suffix.lower() in SUFFIXES and not p.name.startswith(NOT_LOG)
        ),
        key=lambda p: p.name,
    )


def read_verdicts(inputs: Path) -> VerdictInput:
    """Read every verdict file under `inputs/eligibility/`."""
    paths = verdict_files(inputs)
    frames, files, findings, data = [], [], [finding_frame()], {}
    for path in paths:
        raw = read_bytes(path)
        sha256 = hashlib.sha256(raw).hexdigest()
        data[sha256] = raw
        rows, warnings = verdict_rows(raw, path.name)
        frames.append(rows)
        findings.append(warnings)
        files.append(VerdictFile(path.name, sha256, rows.height))
    rows = pl.concat(frames) if frames else pl.DataFrame(schema=SCHEMA)
    return VerdictInput(rows, tuple(files), pl.concat(findings), (inputs / FOLDER).is_dir(), data)


def source_name(name: str) -> str:
    """How findings name a verdict file: under its folder, apart from the log's files."""
    return f"{FOLDER}/{name}"


def verdict_rows(data: bytes, name: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """One verdict file's rows (`SCHEMA`) and its file-level warnings."""
    table = read_table(data, name, verdict_column)
    named, notes = by_column(table, name, _verdict_or_unnamed)
    text = named.select(
        pl.lit(source_name(name)).alias("source"),
        pl.col(LINE).cast(pl.Int64).alias("line"),
        *(
            (
                pl.col(c).cast(pl.String).str.strip_chars().replace("", None)
                if c in named.columns
                else pl.lit(None, dtype=pl.String)
            ).alias(c)
            for c in COLUMNS
        ),
        pl.col(READ_PROBLEM).cast(PARTS),
    )
    typed = text.with_columns(
        pl.col("eligible")
        .str.to_lowercase()
        .replace_strict(ELIGIBLE, default=None, return_dtype=pl.Boolean)
        .alias("eligible"),
        parse_date("decided_on").alias("decided_on"),
        pl.col("eligible").alias("raw_eligible"),
        pl.col("decided_on").alias("raw_decided_on"),
    )
    typed = typed.with_row_index("_row").join(
        _problems(typed.lazy().with_row_index("_row")).collect().rename({"parts": "problem"}),
        on="_row",
        how="left",
        maintain_order="left",
    )
    return typed.select(*SCHEMA), file_warnings(source_name(name), notes)


def _verdict_or_unnamed(header: str) -> str | None:
    """`verdict_column`, with a column without a name left out silently as well."""
    return IGNORED if not header.strip() else verdict_column(header)


def _problems(rows: pl.LazyFrame) -> pl.LazyFrame:
    """Why each verdict row that cannot be read cannot be (`_row`, `parts`)."""
    return reasons_by(
        rows,
        "_row",
        (pl.col(READ_PROBLEM).is_not_null(), pl.col(READ_PROBLEM)),
        (pl.col("placement_id").is_null(), NO_VALUE.parts(pl.lit("placement_id"))),
        (
            pl.col("placement_id").str.len_chars() > MAX_TEXT,
            TOO_LONG.parts(pl.lit("placement_id"), pl.lit(MAX_TEXT)),
        ),
        (pl.col("raw_eligible").is_null(), ELIGIBLE_EMPTY.parts()),
        (
            pl.col("raw_eligible").is_not_null() & pl.col("eligible").is_null(),
            ELIGIBLE_UNREADABLE.parts(_short("raw_eligible")),
        ),
        (pl.col("raw_decided_on").is_null(), NO_VALUE.parts(pl.lit("decided_on"))),
        (
            pl.col("raw_decided_on").is_not_null() & pl.col("decided_on").is_null(),
            NOT_A_DATE.parts(pl.lit("decided_on"), _short("raw_decided_on")),
        ),
    )


def _short(column: str) -> pl.Expr:
    text = pl.col(column)
    return pl.when(text.str.len_chars() > 40).then(text.str.slice(0, 37) + "...").otherwise(text)
