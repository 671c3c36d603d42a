"""Findings: problems in the data, as values (never raised).

An *exception* is a row, placement or day range that could not be charged; a
*warning* changes no money but a finance officer must see it. Each names the
file and line it comes from, the placement where there is one, and a reason.
"""

from __future__ import annotations

import re

import polars as pl

from fundcalc.base.plural import counted

EXCEPTION = "exception"
WARNING = "warning"

SCHEMA: dict[str, pl.DataType] = {
    "kind": pl.String(),
    "source": pl.String(),
    "line": pl.Int64(),
    "placement_id": pl.String(),
    "reason": pl.String(),
    "days": pl.Int64(),
}


def reason_text(template: str, *values: pl.Expr | str) -> pl.Expr:
    """A finding's text: `template` with each `{}` replaced by a value (a column name or
    an expression); null where a value is null.

    This is `pl.format` made of `pl.concat_str`: the kernel of `pl.format` panics on
    some string columns of many chunks, such as a log read from many files (polars
    issue 25187, seen again in 2.1.0 on the streaming engine).
    """
    pieces = template.split("{}")
    if len(pieces) != len(values) + 1:
        raise ValueError(f"{template!r} has {len(pieces) - 1} places for {len(values)} values")
    parts: list[pl.Expr] = []
    for piece, value in zip(pieces, (*values, None), strict=True):
        if piece:
            parts.append(pl.lit(piece))
        if value is not None:
            parts.append(pl.col(value) if isinstance(value, str) else value)
    return pl.concat_str(parts)


def finding_frame(frame: pl.DataFrame | None = None) -> pl.DataFrame:
    """A frame with exactly the findings' columns (missing ones null)."""
    if frame is None:
        return pl.DataFrame(schema=SCHEMA)
    return frame.select(
        (pl.col(c) if c in frame.columns else pl.lit(None)).cast(t).alias(c)
        for c, t in SCHEMA.items()
    )


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
