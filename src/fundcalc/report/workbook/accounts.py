"""The workbook's sheets about the data and the run: Uitzonderingen and Verantwoording.

Every exception with its file, line, placement id, reason (in Dutch where it
is a known one), days and the amount not charged; and how the figures were
made: versions, rules and input files with their SHA-256, the as-of date, row
counts and the invariant checks of every month calculated.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import openpyxl
import polars as pl

from fundcalc import __version__
from fundcalc.base.findings import EXCEPTION
from fundcalc.core.calculation import Calculation
from fundcalc.core.segments import STREAMS
from fundcalc.inputs.log import LogFile
from fundcalc.inputs.rules import Rules
from fundcalc.report.dutch import (
    CHECK_NAMES,
    COUNT_NAMES,
    PLACEMENT_NAMES,
    STREAM_NAMES,
    Context,
    dutch_reason,
)
from fundcalc.report.figures import exception_amounts
from fundcalc.report.sheets import (
    MAX_LISTED,
    TOTAL,
    Count,
    Euro,
    LineNumber,
    Percent,
    Row,
    Sheet,
    Table,
)


def exceptions_sheet(ctx: Context, calculation: Calculation, findings: pl.DataFrame) -> Sheet:
    """Uitzonderingen: the exceptions, then the warnings, of the period.

    The workbook stays small: it lists at most MAX_LISTED of them, under their
    totals; exceptions.csv always has them all.
    """
    findings = exception_amounts(calculation, ctx.period, findings)
    total = findings.height
    totals = Table(
        ("Soort", "Aantal", "Dagen", "Niet in rekening"),
        tuple(
            Row(
                (
                    label,
                    part.height,
                    int(part["days"].sum()),
                    Euro(int(part["amount_cents"].sum())),
                )
            )
            for label, part in (
                ("uitzonderingen", findings.filter(pl.col("kind") == EXCEPTION)),
                ("waarschuwingen", findings.filter(pl.col("kind") != EXCEPTION)),
            )
        ),
        caption="Totaal",
    )
    findings = findings.head(MAX_LISTED)
    rows = [
        Row(
            (
                "uitzondering" if kind == EXCEPTION else "waarschuwing",
                source,
                None if line is None else LineNumber(line),
                placement,
                None if reason is None else dutch_reason(reason),
                days,
                None if amount is None else Euro(amount),
            )
        )
        for kind, source, line, placement, reason, days, amount in findings.select(
            "kind", "source", "line", "placement_id", "reason", "days", "amount_cents"
        ).iter_rows()
    ]
    note = (
        "Afgewezen dagen kosten niets. 'Niet in rekening' is wat zij tegen het dagtarief"
        " gekost zouden hebben, waar dat bekend is."
        if rows
        else "Geen uitzonderingen en geen waarschuwingen in deze periode."
    )
    if total > len(rows):
        note += (
            f" Hier staan de eerste {len(rows)} van {total}; de volledige lijst staat in"
            " exceptions.csv naast deze werkmap."
        )
    table = Table(
        ("Soort", "Bestand", "Regel", "Plaatsing", "Reden", "Dagen", "Niet in rekening"),
        tuple(rows),
        caption="Per regel" if total > len(rows) else "",
        note=note,
    )
    return Sheet(
        "Uitzonderingen",
        ctx.title("Uitzonderingen"),
        ctx.subtitle(
            "Elke regel, plaatsing of reeks dagen die niet in rekening kon worden gebracht,"
            " met bestand, regel en reden."
        ),
        (totals, table) if total > len(rows) else (table,),
        widths={4: 60},
        header_table=1 if total > len(rows) else 0,
    )


def accounts_sheet(
    ctx: Context,
    rules: Rules,
    calculation: Calculation,
    *,
    input_files: Sequence[LogFile],
    counts: Mapping[str, Any],
    output_hashes: Mapping[str, str],
) -> Sheet:
    """Verantwoording: versions, files and hashes, counts (as in the manifest), checks."""
    key = rules.key_for(ctx.period)
    run = Table(
        ("Onderdeel", "Waarde"),
        (
            Row(("fundcalc", __version__)),
            Row(("polars", pl.__version__)),
            Row(("openpyxl", openpyxl.__version__)),
            Row(("Fonds", rules.fund_name)),
            Row(("Periode", str(ctx.period))),
            Row(("Peildatum (as-of)", ctx.as_of)),
            Row(("Verdeelsleutel geldig vanaf", key.valid_from)),
            Row(("Leden van het fonds", len(key.members))),
            Row(("Herkomstdeel", Percent(rules.split_for(ctx.period).origin_share))),
            Row(("Bedenktijd (maanden)", rules.reflection_months)),
            Row(("Correctietermijn (maanden)", rules.correction_lookback_months)),
        ),
        caption="De berekening",
        align_left=True,
    )
    rules_table = Table(
        ("Regelbestand", "SHA-256"),
        tuple(Row((f.name, f.sha256)) for f in rules.files),
        caption="Regels",
    )
    inputs_table = Table(
        ("Invoerbestand", "SHA-256", "Regels", "Lege regels"),
        (
            *(Row((f.name, f.sha256, f.rows, f.blank_rows)) for f in input_files),
            Row(
                (
                    "Totaal",
                    "",
                    sum(f.rows for f in input_files),
                    sum(f.blank_rows for f in input_files),
                ),
                TOTAL,
            ),
        ),
        caption="Invoer (inputs/placements)",
    )
    row_counts: Mapping[str, int] = counts.get("rows", {})
    placements: Mapping[str, int] = counts.get("placements", {})
    days: Mapping[str, int] = counts.get("days", {})
    count_rows = [
        *(Row((COUNT_NAMES.get(k, k), v)) for k, v in row_counts.items()),
        *(Row((PLACEMENT_NAMES.get(k, k), Count(v))) for k, v in placements.items()),
        *(Row((STREAM_NAMES.get(s, s), days[s])) for s in STREAMS if s in days),
        *(
            Row((label, counts[k]))
            for k, label in (("exceptions", "Uitzonderingen"), ("warnings", "Waarschuwingen"))
            if k in counts
        ),
    ]
    counts_table = Table(
        ("Telling", "Aantal"),
        tuple(count_rows),
        caption="Tellingen",
        align_left=True,
        note="Regels gelezen = geen versie + nog niet vastgelegd + vervangen + dubbel + in"
        " werking. Aantallen plaatsingen onder 5 staan als <5.",
    )
    checks = Table(
        ("Maand", "Controle", "Uitkomst"),
        tuple(
            Row((str(p), CHECK_NAMES.get(name, name), "voldaan" if holds else "NIET VOLDAAN"))
            for p in ctx.months
            for name, holds in calculation.settlements[p].check()
        ),
        caption="Controles (de invarianten van de berekening)",
    )
    outputs = Table(
        ("Uitvoerbestand", "SHA-256"),
        tuple(Row((name, digest)) for name, digest in sorted(output_hashes.items())),
        caption="Uitvoer",
        note="manifest.json vermeldt ook de SHA-256 van deze werkmap.",
    )
    return Sheet(
        "Verantwoording",
        ctx.title("Verantwoording"),
        ctx.subtitle(
            "Hoe deze cijfers zijn gemaakt: versies, bestanden met hun SHA-256, tellingen en"
            " controles."
        ),
        (run, rules_table, inputs_table, counts_table, checks, outputs),
        widths={0: 52, 1: 68},
        header_table=None,
    )
