"""Findings: problems in the data, as values (never raised).

An *exception* is a row, placement or day range that could not be charged; a
*warning* changes no money but a finance officer must see it. Each names the
file and line it comes from, the placement where there is one, and a reason.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from fundcalc.base.plural import counted
from fundcalc.base.reasons import PARTS, Part, english, parts_series

EXCEPTION = "exception"
WARNING = "warning"

#: A finding as exceptions.csv shows it.
COLUMNS = ("kind", "source", "line", "placement_id", "reason", "days")
#: A finding in a frame: the columns of exceptions.csv, and its reason as parts
#: (`base.reasons`), from which `reason` (English) and the workbook's Dutch are made.
SCHEMA: dict[str, pl.DataType] = {
    "kind": pl.String(),
    "source": pl.String(),
    "line": pl.Int64(),
    "placement_id": pl.String(),
    "reason": pl.String(),
    "days": pl.Int64(),
    "parts": PARTS,
}


@dataclass(frozen=True)
class Note:
    """What a file as a whole has to say (an unknown column, its encoding): the line it
    is about (None: the whole file) and why."""

    line: int | None
    reason: Part


@dataclass(frozen=True)
class Finding:
    """A finding made one by one (most are made as frames, by expressions)."""

    kind: str
    reason: tuple[Part, ...]
    source: str | None = None
    line: int | None = None
    placement_id: str | None = None
    days: int | None = None


#: No findings: copied for each caller, since a frame can be changed in place.
_NO_FINDINGS = pl.DataFrame(schema=SCHEMA)
_FINDINGS_SCHEMA = _NO_FINDINGS.schema


def finding_frame(frame: pl.DataFrame | None = None) -> pl.DataFrame:
    """A frame with exactly the findings' columns (missing ones null).

    A frame with a reason's `parts` and no `reason` gets its English made from
    them: the text and the parts are always the same reason.
    """
    if frame is None:
        return _NO_FINDINGS.clone()
    if frame.schema == _FINDINGS_SCHEMA:  # already so (most are): no query
        return frame
    if "parts" in frame.columns and "reason" not in frame.columns:
        frame = frame.with_columns(english(frame["parts"]).alias("reason"))
    return frame.select(
        (pl.col(c) if c in frame.columns else pl.lit(None)).cast(t).alias(c)
        for c, t in SCHEMA.items()
    )


def findings_of(found: Sequence[Finding]) -> pl.DataFrame:
    """Findings made one by one, as a frame."""
    if not found:  # most files: no polars query for an empty frame
        return finding_frame()
    return finding_frame(
        pl.DataFrame(
            {
                "kind": [f.kind for f in found],
                "source": [f.source for f in found],
                "line": [f.line for f in found],
                "placement_id": [f.placement_id for f in found],
                "days": [f.days for f in found],
            },
            schema={
                "kind": pl.String,
                "source": pl.String,
                "line": pl.Int64,
                "placement_id": pl.String,
                "days": pl.Int64,
            },
        ).with_columns(parts_series([f.reason for f in found]))
    )


def file_warnings(source: str, notes: Sequence[Note]) -> pl.DataFrame:
    """A file's notes as warnings of that file."""
    return findings_of([Finding(WARNING, (n.reason,), source, n.line) for n in notes])


def sort_findings(frame: pl.DataFrame) -> pl.DataFrame:
    """Exceptions first, then by file, line and reason: the same order every run."""
    return frame.sort(
        pl.col("kind") != EXCEPTION, "source", "line", "placement_id", "reason", nulls_last=True
    )


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """Input text made safe for a terminal: control characters (escape sequences) become �."""
    return _CONTROL.sub("\ufffd", text)


def finding_lines(findings: pl.DataFrame) -> list[str]:
    """Findings as terminal lines by kind: `exceptions: N`, then `file:line  id  reason`."""
    out = []
    for kind, title in ((EXCEPTION, "exceptions"), (WARNING, "warnings")):
        rows = findings.filter(pl.col("kind") == kind)
        out.append(f"{title}: {rows.height}")
        for source, line, placement, reason in rows.select(
            "source", "line", "placement_id", "reason"
        ).iter_rows():
            where = "-" if source is None else f"{source}:{line}" if line is not None else source
            out.append(printable(f"  {where}  {placement or '-'}  {reason}"))
    return out


#: What a finance officer does about each kind of finding.
ADVICE = {
    EXCEPTION: "cost nothing until the provider sends a corrected version; import it",
    WARNING: "change no money, but have a look",
}


def grouped_finding_lines(findings: pl.DataFrame) -> list[str]:
    """Findings grouped by kind, in aligned columns: `file:line  placement  reason (days)`.

    Each group starts with its count and what to do about it; lot-wide
    warnings have no file or placement and leave those columns empty.
    """
    rows = [
        (
            kind,
            "" if source is None else f"{source}:{line}" if line is not None else source,
            placement or "",
            reason if days is None else f"{reason} ({counted(days, 'day')})",
        )
        for kind, source, line, placement, reason, days in findings.select(
            "kind", "source", "line", "placement_id", "reason", "days"
        ).iter_rows()
    ]
    where = max((len(r[1]) for r in rows), default=0)
    which = max((len(r[2]) for r in rows), default=0)
    out = []
    for kind, title in ((EXCEPTION, "exceptions"), (WARNING, "warnings")):
        group = [r for r in rows if r[0] == kind]
        out.append(f"{title}: {len(group)}" + (f" ({ADVICE[kind]})" if group else ""))
        out += [printable(f"  {w:<{where}}  {p:<{which}}  {reason}") for _, w, p, reason in group]
    return out
