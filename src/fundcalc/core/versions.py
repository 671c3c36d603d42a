"""Which version of each placement is in force as of a date (§4.1).

The version in force is the row with the greatest `recorded_on` ≤ the as-of
date. Rows are compared by meaning: `2026-03-31` and `31-03-2026` are the same
date (the fields were read with the log, `fields`). A row without a usable
all; a version in force that cannot be read, misses a required field, ends
before it starts, or conflicts with another version of the same day rejects
its placement.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from fundcalc.base.findings import EXCEPTION, finding_frame
from fundcalc.base.reasons import (
    CONFLICTING_VERSIONS,
    END_BEFORE_START,
    MISSING,
    NO_MUNICIPALITY,
    NO_VALUE,
    NOT_A_DATE,
    PARTS,
    TOO_LONG,
    Part,
)
from fundcalc.inputs.fields import DATE_COLUMNS, MAX_TEXT, shown, unread_text, unreadable
from fundcalc.inputs.log import COLUMNS
from fundcalc.inputs.table import READ_PROBLEM

#: The typed columns of a version: the log's columns, in the spec's order.
FIELDS = COLUMNS


@dataclass(frozen=True)
class Versions:
    """The log as of a date: one row per placement in force, and what fell out.

    `placements` holds every placement whose version in force is not void,
    typed, with `reject_reason` set where the placement is rejected as a whole
    and `stay_known` where its days can be told all the same.
    `exceptions` holds rows that are no version at all. `counts` says where
    every row read went: read = not_a_version + not_yet_recorded + superseded
    + duplicate + in_force.
    """

    placements: pl.DataFrame
    exceptions: pl.DataFrame
    counts: dict[str, int]


def _no_version_reason() -> pl.Expr:
    """Why a row is no version (`PARTS`); a row that could not be read as it stands says
    so first."""
    pid = pl.col("placement_id")
    recorded = pl.col("recorded_on")
    reason = (
        pl.when(pid.is_null())
        .then(NO_VALUE.parts(pl.lit("placement_id")))
        .when(pid.str.len_chars() > MAX_TEXT)
        .then(TOO_LONG.parts(pl.lit("placement_id"), pl.lit(MAX_TEXT)))
        .when(unreadable("recorded_on"))
        .then(NOT_A_DATE.parts(pl.lit("recorded_on"), shown("recorded_on")))
        .when(recorded.is_null())
        .then(NO_VALUE.parts(pl.lit("recorded_on")))
    )
    read_problem = pl.col(READ_PROBLEM).fill_null(pl.lit([], dtype=PARTS))
    return pl.when(reason.is_not_null()).then(pl.concat_list(read_problem, reason))


#: Columns that together are a row's meaning: identical duplicates count once.
#: Fields that cannot be read count by their text (`_unread_`); a row that could
#: not be read as it stands (`read_problem`) is like no other.
_UNREAD = (*DATE_COLUMNS, "void")
_MEANING = (
    *(c for c in FIELDS if c != "recorded_on"),
    *(f"_unread_{c}" for c in _UNREAD),
    READ_PROBLEM,
)


def versions_as_of(rows: pl.DataFrame, as_of: date) -> Versions:
    """Choose each placement's version in force as of `as_of` among the log's
    rows, as `log` reads them (fields typed, `fields.typed`).

    The choice is made on a narrow frame (row number, placement, recording
    day); the few placements with more than one row on their latest day are
    settled on those rows alone.
    """
    pid = pl.col("placement_id")
    keys = rows.select(
        pl.int_range(pl.len(), dtype=pl.UInt32).alias("_row"),
        "placement_id",
        "recorded_on",
        # A version has a usable id and recording day (why not: `_no_version_reason`).
        (pid.is_not_null() & (pid.str.len_chars() <= MAX_TEXT))
        .and_(pl.col("recorded_on").is_not_null())
        .alias("is_version"),
    )
    versions = int(keys["is_version"].sum())
    current = keys.filter(pl.col("is_version") & (pl.col("recorded_on") <= as_of))
    latest = current.filter(
        pl.col("recorded_on") == pl.col("recorded_on").max().over("placement_id")
    ).select("_row", "placement_id")
    same_day = _one_per_placement(rows, _sharing_latest_day(latest))
    # A mask keeps the rows in force in their order; filtering by it reads the
    # columns front to back, which is cheaper than gathering rows by number.
    in_force = _marked(rows.height, latest["_row"])
    if not same_day.dropped.is_empty():
        in_force = in_force.scatter(same_day.dropped, False)
    in_conflict = _in_conflict(rows.height, same_day.conflicts)
    # A void version withdraws its placement, unless it cannot be used at all
    # (a field that cannot be read, a conflict): then it rejects it (`_classify`).
    # Dropped here, the rows are filtered once.
    withdrawn = rows["void"].fill_null(False) & rows["problem"].is_null()
    if in_conflict is not None:
        withdrawn &= ~in_conflict
    kept = in_force & ~withdrawn
    placements = _classify(rows, kept, in_conflict, same_day.conflicts)
    exceptions = finding_frame(  # the reasons are written for these few rows only
        rows.filter(~keys["is_version"]).select(
            pl.lit(EXCEPTION).alias("kind"),
            "source",
            "line",
            "placement_id",
            _no_version_reason().alias("parts"),
        )
    )
    counts = {
        "read": rows.height,
        "not_a_version": rows.height - versions,
        "not_yet_recorded": versions - current.height,
        "superseded": current.height - latest.height,
        "duplicate": same_day.duplicates,
        "in_force": latest.height - same_day.duplicates,
    }
    return Versions(placements, exceptions, counts)


def _sharing_latest_day(latest: pl.DataFrame) -> pl.Series:
    """The rows (`_row`) of the placements with more than one row on their latest day.

    Equal ids have equal hashes. The hashes sorted tell at once which of them
    repeat: most often none, which proves that no placement has two rows; else
    the few rows with a repeated hash are the candidates and their ids decide.
    Sorting is one pass for both answers, where counting distinct hashes and
    then marking the repeated ones of every row took two when a log has
    conflicts.
    """
    hashes = latest["placement_id"].hash()
    ordered = hashes.sort()
    repeated = ordered.filter(ordered == ordered.shift(1))
    if repeated.is_empty():
        return latest["_row"].clear()
    maybe_shared = latest.filter(hashes.is_in(repeated.unique().implode()))
    return maybe_shared.filter(pl.col("placement_id").is_duplicated())["_row"]


@dataclass(frozen=True)
class _SameDay:
    """The placements with more than one row on their latest day, settled."""

    #: The rows to drop (`_row`): all but the first of each placement (files and lines
    #: in order).
    dropped: pl.Series
    #: The row kept of each placement whose rows differ (`_row`), and the rows in
    #: conflict (`where`: `file:line, …`).
    conflicts: pl.DataFrame
    #: How many rows were identical to an earlier one (by meaning).
    duplicates: int


def _one_per_placement(rows: pl.DataFrame, shared: pl.Series) -> _SameDay:
    """Settle the placements whose latest day holds more than one row (`shared` rows).

    Identical rows (by meaning) count once; different ones are a conflict
    that names every row.
    """
    if shared.is_empty():
        return _SameDay(shared, pl.DataFrame(schema=_CONFLICTS), 0)
    unread = (unread_text(c).alias(f"_unread_{c}") for c in _UNREAD)
    # Only what a row's meaning and place need is gathered (not its problems, nested).
    needed = ["source", "line", *FIELDS, READ_PROBLEM, *(f"raw_{c}" for c in _UNREAD)]
    many = rows.select(needed)[shared].with_columns(shared, _void().alias("void"), *unread)
    distinct = many.unique(subset=list(_MEANING), keep="first", maintain_order=True)
    kept = distinct.unique("placement_id", keep="first", maintain_order=True)
    conflicts = (
        distinct.group_by("placement_id", maintain_order=True)
        .agg(
            pl.len().alias("versions"),
            pl.concat_str(pl.col("source"), pl.lit(":"), pl.col("line")).alias("where"),
        )
        .filter(pl.col("versions") > 1)
        # Joined as lists, for all at once: a join of texts in each group costs more.
        .with_columns(pl.col("where").list.join(", "))
    )
    return _SameDay(
        shared.filter(~shared.is_in(kept["_row"].implode())),
        kept.join(conflicts, on="placement_id", maintain_order="left").select(*_CONFLICTS),
        many.height - distinct.height,
    )


_CONFLICTS = {"_row": pl.UInt32, "where": pl.String}


def _in_conflict(height: int, conflicts: pl.DataFrame) -> pl.Series | None:
    """Of all `height` rows, which is the row kept of a placement in conflict; None where
    there are none."""
    if conflicts.is_empty():
        return None
    return _marked(height, conflicts["_row"])


#: The required fields a version can miss, each a bit of `_missing_code`.
_MISSING: tuple[tuple[pl.Expr, Part], ...] = (
    (pl.col("client_id").is_null(), MISSING("client_id")),
    (pl.col("lot_id").is_null(), MISSING("lot_id")),
    (pl.col("raw_start_date").is_null() & pl.col("start_date").is_null(), MISSING("start_date")),
    (
        pl.col("brp_municipality").is_null() & pl.col("found_municipality").is_null(),
        NO_MUNICIPALITY(),
    ),
)
#: The reason for every combination of missing fields, by `_missing_code` (a `PARTS` value).
_MISSING_REASONS = {
    code: [part.row() for bit, (_, part) in enumerate(_MISSING) if code & (1 << bit)]
    for code in range(1, 1 << len(_MISSING))
}


def _missing_code() -> pl.Expr:
    """Which required fields a version misses, one bit each (0: none): a number per
    row is far cheaper than a reason per row, and few rows miss anything."""
    return pl.sum_horizontal(
        pl.when(missing).then(pl.lit(1 << bit, dtype=pl.UInt8)).otherwise(pl.lit(0, dtype=pl.UInt8))
        for bit, (missing, _) in enumerate(_MISSING)
    )


def _void() -> pl.Expr:
    """A version's `void`: an empty one withdraws nothing; one that cannot be read
    stays unknown (null)."""
    return pl.when(unreadable("void")).then(None).otherwise(pl.col("void").fill_null(False))


#: Why a version in force rejects its placement (`_why`), by the first that holds.
_NONE, _CONFLICT, _PROBLEM, _MISSING_FIELD, _END_BEFORE_START = range(5)


def _classify(
    rows: pl.DataFrame,
    kept: pl.Series,
    in_conflict: pl.Series | None,
    conflicts: pl.DataFrame,
) -> pl.DataFrame:
    """The `kept` rows, with `reject_reason` (`PARTS`) set on placements that cannot be
    used (the voided ones that withdraw their placement are no longer among them).

    Why a version rejects is decided per row as a number (`_why`); the reasons are
    made, or taken from the row's `problem` and its `conflicts`, for the rejecting
    rows only and gathered into place: a reason made for every row and then mostly
    dropped costs many times more, and so does filtering every row's problems.
    """
    conflicted = pl.col("_in_conflict")
    why = (
        pl.when(conflicted)
        .then(_CONFLICT)
        .when(pl.col("_has_problem"))
        .then(_PROBLEM)
        .when(pl.col("void"))
        .then(_NONE)
        .when(pl.col("_missing") > 0)
        .then(_MISSING_FIELD)
        .when(pl.col("end_date") < pl.col("start_date"))
        .then(_END_BEFORE_START)
        .otherwise(_NONE)
        .cast(pl.UInt8)
    )
    # The days of a rejected placement can still be told when its one version
    # has a readable start and a readable end that is not before it.
    stay_known = (
        ~conflicted
        & pl.col("start_date").is_not_null()
        & ~pl.col("_end_unreadable")
        & (pl.col("end_date").is_null() | (pl.col("end_date") >= pl.col("start_date")))
    )
    # Only what the placements keep and their reasons need is filtered and kept (the
    # text of fields read, and the problems, are not). Row-wise work on a frame in
    # memory: the in-memory engine is faster at it than the streaming one (polars'
    # default), which splits it into morsels.
    classified = (
        rows.lazy()
        .select(
            *(_void().alias(c) if c == "void" else pl.col(c) for c in FIELDS),
            "source",
            "line",
            pl.int_range(pl.len(), dtype=pl.UInt32).alias("_row"),
            pl.col("problem").is_not_null().alias("_has_problem"),
            pl.lit(False if in_conflict is None else in_conflict).alias("_in_conflict"),
            _missing_code().alias("_missing"),
            unreadable("end_date").alias("_end_unreadable"),
        )
        .filter(kept)
        .with_columns(why.alias("_why"), stay_known.alias("stay_known"))
        .collect(engine="in-memory")
    )
    rejecting = pl.col("_why") != _NONE
    problem = pl.col("_why") == _PROBLEM
    # The problems of the rows that reject by them, in order: filtered from the log's
    # column by a mask, where gathering them by row number reads the whole column.
    by_problem = _marked(rows.height, classified.filter(problem)["_row"])
    problems = rows["problem"].filter(by_problem).rechunk()
    reasons = (
        classified.select("_row", "_why", "_missing")
        .filter(rejecting)
        .join(conflicts, on="_row", how="left", maintain_order="left")
        .select(
            pl.when(pl.col("_why") == _CONFLICT)
            .then(CONFLICTING_VERSIONS.parts("where"))
            .when(problem)
            .then(pl.lit(problems).gather(_nth(problem)))
            .when(pl.col("_why") == _MISSING_FIELD)
            .then(pl.col("_missing").replace_strict(_MISSING_REASONS, return_dtype=PARTS))
            .otherwise(END_BEFORE_START.parts())
        )
    )
    return classified.select(
        *FIELDS,
        "source",
        "line",
        pl.lit(reasons.to_series()).gather(_nth(rejecting)).alias("reject_reason"),
        "stay_known",
    )


def _marked(height: int, rows: pl.Series) -> pl.Series:
    """A mask of `height` rows, true at `rows` (row numbers)."""
    return pl.zeros(height, dtype=pl.Boolean, eager=True).scatter(rows, True)


def _nth(condition: pl.Expr) -> pl.Expr:
    """Where `condition` holds, how many rows before it it held (0 for the first); null
    where it does not: where to gather from what was made for those rows alone."""
    return pl.when(condition).then(condition.cast(pl.UInt32).cum_sum() - 1)
