"""The workbook's sheets about the data and the run: Uitzonderingen and Verantwoording.

The exceptions counted per reason, with their days and the amount not
charged, and the first of each reason with its placement, reason (in Dutch,
from its code and values: `base.reasons`), file and line; and how the figures were
made: versions, rules and input files with their SHA-256, the as-of date, row
counts and the invariant checks of every month calculated.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import openpyxl
import polars as pl

from fundcalc import __version__
from fundcalc.base.findings import EXCEPTION, WARNING
from fundcalc.base.plural import plural
from fundcalc.base.reasons import dutch_text, groups, parts_of
from fundcalc.core.calculation import Calculation
from fundcalc.core.segments import STREAMS
from fundcalc.inputs.invoices import InvoiceFile
from fundcalc.inputs.log import LogFile
from fundcalc.inputs.rules import Rules
from fundcalc.report.dutch import (
    CHECK_NAMES,
    COUNT_NAMES,
    PLACEMENT_NAMES,
    STREAM_NAMES,
    Context,
)
from fundcalc.report.figures import exception_amounts
from fundcalc.report.sheets import (
    MAX_WIDTH,
    SECTION,
    TOTAL,
    CellValue,
    Count,
    Euro,
    Percent,
    Row,
    Sheet,
    Table,
    display_width,
)

#: How many findings of each reason the sheet lists; exceptions.csv has them all.
LISTED_PER_REASON = 10
#: How many reasons the sheet counts one by one; the rest are counted together.
MAX_REASONS = 60


def _not_charged(kind: str, days: int | None, amount: int | None) -> CellValue:
    """'Niet in rekening' of an exception: the amount, or why there is none (never blank)."""
    if kind != EXCEPTION:
        return None  # a warning changes no money
    if amount is not None:
        return Euro(amount)
    return "tarief onbekend" if days else "dagen onbekend"


def exceptions_sheet(ctx: Context, calculation: Calculation, findings: pl.DataFrame) -> Sheet:
    """Uitzonderingen: the period's findings counted per reason, then the first of each.

    A reason is counted without its values (`base.reasons.groups`: every
    unknown lot is one reason), with its findings, days and the euros not charged;
    exceptions come first, then warnings, each largest first. Under it the
    first LISTED_PER_REASON findings of each reason, with placement, reason,
    file and line. The sheet stays small whatever the log: exceptions.csv,
    beside the workbook, has every finding.
    """
    findings = exception_amounts(calculation, ctx.period, findings).with_columns(
        pl.coalesce(groups(findings["parts"]), findings["reason"]).fill_null("").alias("group")
    )
    per_reason = _per_reason(findings)
    listed = _first_of_each(findings, per_reason)
    total = findings.height
    counted = Table(
        ("Soort", "Reden", "Aantal", "Dagen", "Niet in rekening"),
        tuple(_counted_rows(per_reason)),
        caption="Per reden",
        note=(
            "Afgewezen dagen kosten niets. 'Niet in rekening' is wat zij tegen het dagtarief"
            " gekost zouden hebben; per plaatsing 'tarief onbekend' waar het perceel op die"
            " dagen geen tarief heeft, 'dagen onbekend' waar de plaatsing niet in de tijd te"
            " plaatsen is. Een reden staat hier zonder de"
            " waarden die erin staan (een onbekend perceel, een datum): die staan hieronder"
            " en in exceptions.csv."
            if total
            else "Geen uitzonderingen en geen waarschuwingen in deze periode."
        ),
    )
    tables: tuple[Table, ...] = (counted,)
    if total:
        shown = sum(1 for row in listed if row.kind != SECTION)
        tables += (
            Table(
                ("Plaatsing", "Reden", "Bestand en regel", "Dagen", "Niet in rekening"),
                tuple(listed),
                caption=f"De eerste {LISTED_PER_REASON} per reden",
                note=f"Hier {plural(shown, 'staat', 'staan')} {shown} van de {total}"
                " uitzonderingen en waarschuwingen;"
                " de volledige lijst staat in exceptions.csv naast deze werkmap."
                if shown < total
                else "Dit zijn alle uitzonderingen en waarschuwingen; ze staan ook in"
                " exceptions.csv naast deze werkmap.",
            ),
        )
    return Sheet(
        "Uitzonderingen",
        ctx.title("Uitzonderingen"),
        ctx.subtitle(
            "Elke regel, plaatsing of reeks dagen die niet in rekening kon worden gebracht,"
            " geteld per reden, met de eerste van elke reden."
        ),
        tables,
        # The headings of the reasons run across the row: the first column is as
        # wide as its other values, not as its headings.
        widths={0: _first_width(listed), 1: 60},
        header_table=None,
    )


def _first_width(listed: list[Row]) -> float:
    widest = max(
        (display_width(r.cells[0]) for r in listed if r.kind != SECTION),
        default=0,
    )
    return min(max(widest, len("Totaal waarschuwingen")) + 2, MAX_WIDTH)


def _per_reason(findings: pl.DataFrame) -> pl.DataFrame:
    """Findings, days and amount per kind and reason group: exceptions first, then
    warnings, each largest first; beyond MAX_REASONS a kind's reasons are summed
    as one (`group` null)."""
    per_reason = (
        findings.group_by("kind", "group")
        .agg(
            pl.len().cast(pl.Int64).alias("findings"),
            pl.col("days").sum(),
            pl.col("amount_cents").sum(),
            pl.col("amount_cents").is_not_null().any().alias("known"),
            pl.col("days").is_not_null().any().alias("counted"),
        )
        .sort(pl.col("kind") != EXCEPTION, -pl.col("findings"), "group")
    )
    rank = pl.int_range(pl.len()).over("kind")
    return (
        per_reason.with_columns(pl.when(rank < MAX_REASONS).then(pl.col("group")).alias("group"))
        .group_by("kind", "group", maintain_order=True)
        .agg(
            pl.col("findings").sum(),
            pl.col("days").sum(),
            pl.col("amount_cents").sum(),
            pl.col("known").any(),
            pl.col("counted").any(),
        )
    )


def _kind_name(kind: str) -> str:
    return "uitzondering" if kind == EXCEPTION else "waarschuwing"


def _amount(cents: int, known: bool) -> Euro | None:
    """A sum of amounts; none where no finding has one (an unknown lot has no tariff)."""
    return Euro(cents) if known else None


def _days(days: int, counted: bool) -> int | None:
    """A sum of days; none where no finding counts days (a row that is no version)."""
    return days if counted else None


def _counted_rows(per_reason: pl.DataFrame) -> list[Row]:
    """A row per reason, and a total row per kind."""
    rows = []
    for kind in (EXCEPTION, WARNING):
        part = per_reason.filter(pl.col("kind") == kind)
        if part.is_empty():
            continue
        for group, findings, days, counted, cents, known in part.select(
            "group", "findings", "days", "counted", "amount_cents", "known"
        ).iter_rows():
            reason = "andere redenen" if group is None else group or "(geen reden)"
            rows.append(
                Row(
                    (
                        _kind_name(kind),
                        reason,
                        findings,
                        _days(days, counted),
                        _amount(cents, known),
                    )
                )
            )
        rows.append(
            Row(
                (
                    f"Totaal {_kind_name(kind)}en",
                    None,
                    int(part["findings"].sum()),
                    _days(int(part["days"].sum()), bool(part["counted"].any())),
                    _amount(int(part["amount_cents"].sum()), bool(part["known"].any())),
                ),
                TOTAL,
            )
        )
    return rows


def _first_of_each(findings: pl.DataFrame, per_reason: pl.DataFrame) -> list[Row]:
    """Under a heading per reason (as `per_reason` counts them), its first findings."""
    counted = set(per_reason["group"].drop_nulls())
    first = findings.filter(
        pl.col("group").is_in(counted)
        & (pl.int_range(pl.len()).over("kind", "group") < LISTED_PER_REASON)
    )
    by_reason: dict[tuple[str, str], list[Row]] = {}
    for kind, group, source, line, placement, reason, parts, days, amount in first.select(
        "kind", "group", "source", "line", "placement_id", "reason", "parts", "days", "amount_cents"
    ).iter_rows():
        where = None if source is None else source if line is None else f"{source}:{line}"
        by_reason.setdefault((kind, group), []).append(
            Row(
                (
                    placement,
                    dutch_text(parts_of(parts)) if parts else reason,
                    where,
                    days,
                    _not_charged(kind, days, amount),
                )
            )
        )
    rows = []
    for kind, group, findings_n in per_reason.select("kind", "group", "findings").iter_rows():
        if group is None:
            continue
        listed = by_reason[kind, group]
        of = f"de eerste {len(listed)} van {findings_n}" if len(listed) < findings_n else findings_n
        rows.append(Row((f"{_kind_name(kind)}: {group or '(geen reden)'} ({of})",), SECTION))
        rows += listed
    return rows


@dataclass(frozen=True)
class SealedMonth:
    """A month closed before this one: its seal (*zegel*, the SHA-256 of its close record),
    the software that closed it, whether that differs from this run's (None: the record,
    of format 1, does not say), its as-of date and the day it was closed."""

    period: str
    seal: str
    closed_with: str
    other_software: bool | None
    as_of: date | None = None
    closed_on: date | None = None

    @property
    def month(self) -> str:
        """`2026-08 (stand per 05-09-2026, afgesloten op 05-12-2026)`."""
        if self.as_of is None or self.closed_on is None:
            return self.period
        return (
            f"{self.period} (stand per {self.as_of:%d-%m-%Y},"
            f" afgesloten op {self.closed_on:%d-%m-%Y})"
        )

    @property
    def same_software(self) -> str:
        """Whether this run's software is the one that closed it, in Dutch."""
        if self.other_software is None:
            return "onbekend"
        return "nee" if self.other_software else "ja"


def sealed_table(sealed: Sequence[SealedMonth]) -> Table:
    """Archief: the seals of the months closed before this one, for the committee's papers.

    A workbook cannot hold its own month's seal (the seal covers the workbook's
    SHA-256), so each month's seal is on the workbook of every month after it.
    """
    return Table(
        (
            "Gesloten maand",
            "Zegel (SHA-256 van het afsluitverslag)",
            "Gesloten met",
            "Software als nu",
        ),
        tuple(Row((m.month, m.seal, m.closed_with, m.same_software)) for m in sealed),
        caption="Archief: de maanden die vóór deze zijn gesloten",
        note="De zegel van een gesloten maand toetst het archief: fundcalc replay --period"
        " JJJJ-MM --seal <zegel>. De zegel van deze maand zelf geeft fundcalc close; hij staat"
        " op de werkmap van de volgende maand. Software als nu: nee betekent dat"
        " correcties op die maand uit de codewijziging kunnen komen (blad Correcties, kolom"
        " Oorzaak); onbekend: een verslag van voor de zegels noemt zijn software niet.",
    )


def accounts_sheet(
    ctx: Context,
    rules: Rules,
    calculation: Calculation,
    *,
    input_files: Sequence[LogFile],
    counts: Mapping[str, Any],
    output_hashes: Mapping[str, str],
    sealed: Sequence[SealedMonth] = (),
    invoice_files: Sequence[InvoiceFile] | None = None,
) -> Sheet:
    """Verantwoording: versions, files and hashes, counts (as in the manifest), checks,
    and the seals of the months closed before (`sealed_table`, when there are any);
    with `invoice_files` (an `inputs/invoices/` folder), those files and their hashes."""
    key = rules.key_for(ctx.period)
    run = Table(
        ("Onderdeel", "Waarde"),
        (
            Row(("fundcalc", __version__)),
            Row(("polars", pl.__version__)),
            Row(("openpyxl", openpyxl.__version__)),
            Row(("Fonds", rules.fund_name)),
            Row(("Periode", str(ctx.period))),
            Row(("Peildatum", ctx.as_of)),
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
        ("Bestand", "SHA-256"),
        tuple(Row((f.name, f.sha256)) for f in rules.files),
        caption="Rekenregels (rules)",
    )
    inputs_table = Table(
        ("Invoerbestand", "SHA-256", "Aantal regels", "Lege regels"),
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
    invoices_table = (
        ()
        if invoice_files is None
        else (
            Table(
                ("Factuurbestand", "SHA-256", "Aantal regels"),
                tuple(Row((f.name, f.sha256, f.rows)) for f in invoice_files),
                caption="Facturen (inputs/invoices)",
                note="" if invoice_files else "De map inputs/invoices is leeg.",
            ),
        )
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
        (
            run,
            rules_table,
            inputs_table,
            *invoices_table,
            counts_table,
            checks,
            outputs,
            *((sealed_table(sealed),) if sealed else ()),
        ),
        widths={0: 52, 1: 68},
        header_table=None,
    )
