"""report.xlsx: the workbook for the committee of three aldermen, in Dutch.

Nine sheets, each with a title that says period, as-of date and what it
shows: Samenvatting, Centrumgemeenten, Aanbieders en percelen, (Facturen,
when there are invoices to check: `workbook.invoices`), Doelgroepen,
Verloop, Justitie (COSM), Correcties, Uitzonderingen and Verantwoording. This
module renders the whole workbook and the sheets about money; the sheets about
capacity are in `workbook.capacity`, those about the data and the run in
`workbook.accounts`. Figures come from `figures` and `groups`, layout and
the guarantees on the bytes from `sheets`. No client identifier is ever read
into a sheet; counts of placements below 5 are shown as `<5`. Rendering is
pure: the same inputs give the same bytes.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import polars as pl

from fundcalc import __version__
from fundcalc.base.findings import EXCEPTION, WARNING
from fundcalc.base.period import Period
from fundcalc.base.plural import counted
from fundcalc.core.allocation import (
    CONTRIBUTION,
    ITEMS,
    KEY,
    MUNICIPAL_ITEM,
    ORIGIN,
    StatementRow,
)
from fundcalc.core.calculation import Calculation
from fundcalc.core.invoices import InvoiceCheck
from fundcalc.core.settlement import OpeningReserve
from fundcalc.inputs.invoices import InvoiceFile
from fundcalc.inputs.log import LogFile
from fundcalc.inputs.rules import Rules
from fundcalc.report.dutch import (
    ITEM_NAMES,
    MONTHS,
    Context,
    Standing,
    month_name,
    months_text,
    percent,
    short_month,
)
from fundcalc.report.figures import (
    CentrumgemeenteFigures,
    Forecast,
    MonthFigures,
    add_months,
    centrumgemeente_figures,
    correction_figures,
    forecast,
    month_figures,
    reserve_forecast,
    year_to_date,
)
from fundcalc.report.sheets import (
    BODY,
    SECTION,
    TOTAL,
    CellValue,
    ChartSpec,
    Euro,
    Row,
    Sheet,
    Table,
    workbook_bytes,
)
from fundcalc.report.workbook.accounts import SealedMonth, accounts_sheet, exceptions_sheet
from fundcalc.report.workbook.capacity import groups_sheet, justice_sheet, lots_sheet
from fundcalc.report.workbook.eligibility import EligibilityFigures, eligibility_sheet
from fundcalc.report.workbook.invoices import invoices_sheet
from fundcalc.report.workbook.invoices import summary_rows as invoice_summary_rows

SHEET_NAMES = (
    "Samenvatting",
    "Centrumgemeenten",
    "Aanbieders en percelen",
    "Doelgroepen",
    "Verloop",
    "Justitie (COSM)",
    "Correcties",
    "Uitzonderingen",
    "Verantwoording",
)


def render_workbook(
    rules: Rules,
    calculation: Calculation,
    period: Period,
    *,
    input_files: Sequence[LogFile] = (),
    counts: Mapping[str, Any] | None = None,
    corrections: Sequence[StatementRow] = (),
    output_hashes: Mapping[str, str] | None = None,
    findings: pl.DataFrame | None = None,
    standing: Standing | None = None,
    opening_reserve: OpeningReserve | None = None,
    eligibility: EligibilityFigures | None = None,
    sealed: Sequence[SealedMonth] | None = None,
    invoices: Sequence[InvoiceCheck] | None = None,
    invoice_files: Sequence[InvoiceFile] | None = None,
) -> bytes:
    """The committee's workbook for `period` as .xlsx bytes: `draft_workbook`, then
    `finish_workbook`.

    With `opening_reserve` (the reserve the year opened with, or is expected
    to), the summary shows what the year-end settlement would do with the
    expected result: what the reserve absorbs and what is settled.

    `standing` says whether it is a draft (*Concept*, the default), closed
    (*Definitief*) or a forecast (*Prognose*): in every sheet's title, the
    summary and the document properties. With `eligibility` (when
    `inputs/eligibility/` exists) the sheet Toetsing comes before Uitzonderingen.

    `counts` are the run's row counts (as in the manifest), `output_hashes` the
    SHA-256 of the outputs rendered before the workbook; both are shown on
    the Verantwoording sheet. `findings` are the run's exceptions and warnings
    (by default the calculation's own for the period). `sealed` are the months
    closed before it with their seals (Verantwoording); the corrections for one
    closed with other software are marked (Correcties).
    `invoices` is the check of the providers' invoices: with it, the sheet
    Facturen follows Aanbieders en percelen and the summary shows the month's
    invoiced and approved totals; without it (no `inputs/invoices/`) neither is there.
    `invoice_files` are listed with their SHA-256 on the Verantwoording sheet.
    """
    draft = draft_workbook(
        rules,
        calculation,
        period,
        corrections=corrections,
        standing=standing,
        opening_reserve=opening_reserve,
        eligibility=eligibility,
        sealed=sealed,
        invoices=invoices,
    )
    return finish_workbook(
        draft,
        calculation.findings_for(period) if findings is None else findings,
        input_files=input_files,
        counts=counts,
        output_hashes=output_hashes,
        invoice_files=invoice_files,
    )


@dataclass(frozen=True)
class Draft:
    """A workbook begun (`draft_workbook`): the sheets that need neither the run's
    findings nor its counts and hashes, and what the others are made from."""

    ctx: Context
    rules: Rules
    calculation: Calculation
    months: tuple[MonthFigures, ...]
    #: Centrumgemeenten up to Toetsing, in the workbook's order.
    middle: tuple[Sheet, ...]
    corrections: tuple[StatementRow, ...]
    opening_reserve: OpeningReserve | None
    invoices: tuple[InvoiceCheck, ...] | None
    sealed: tuple[SealedMonth, ...]


def draft_workbook(
    rules: Rules,
    calculation: Calculation,
    period: Period,
    *,
    corrections: Sequence[StatementRow] = (),
    standing: Standing | None = None,
    opening_reserve: OpeningReserve | None = None,
    eligibility: EligibilityFigures | None = None,
    sealed: Sequence[SealedMonth] | None = None,
    invoices: Sequence[InvoiceCheck] | None = None,
) -> Draft:
    """The sheets about money and capacity (`render_workbook` for the arguments): a
    run makes them while its findings are being found."""
    standing = standing or Standing()
    ctx = Context(
        rules.fund_name, period, calculation.as_of, year_to_date(calculation, period), standing
    )
    months = tuple(month_figures(calculation, ctx.months))
    middle = (
        centrumgemeenten_sheet(ctx, centrumgemeente_figures(calculation, rules, period)),
        lots_sheet(ctx, calculation),
        *(() if invoices is None else (invoices_sheet(ctx, invoices),)),
        groups_sheet(ctx, calculation, rules),
        trend_sheet(ctx, months),
        justice_sheet(ctx, calculation, rules),
        corrections_sheet(
            ctx, rules, corrections, {m.period for m in sealed or () if m.other_software}
        ),
        *(() if eligibility is None else (eligibility_sheet(ctx, eligibility),)),
    )
    return Draft(
        ctx,
        rules,
        calculation,
        months,
        middle,
        tuple(corrections),
        opening_reserve,
        None if invoices is None else tuple(invoices),
        tuple(sealed or ()),
    )


def finish_workbook(
    draft: Draft,
    findings: pl.DataFrame,
    *,
    input_files: Sequence[LogFile] = (),
    counts: Mapping[str, Any] | None = None,
    output_hashes: Mapping[str, str] | None = None,
    invoice_files: Sequence[InvoiceFile] | None = None,
) -> bytes:
    """The workbook's bytes: `draft` with Samenvatting, Uitzonderingen and
    Verantwoording, which show the run's `findings`, `counts` and `output_hashes`."""
    ctx, rules, calculation = draft.ctx, draft.rules, draft.calculation
    sheets = (
        summary_sheet(
            ctx,
            rules,
            draft.months,
            findings,
            draft.corrections,
            opening_reserve=draft.opening_reserve,
            invoices=draft.invoices,
        ),
        *draft.middle,
        exceptions_sheet(ctx, calculation, findings),
        accounts_sheet(
            ctx,
            rules,
            calculation,
            input_files=input_files,
            invoice_files=invoice_files,
            counts=counts or {},
            output_hashes=output_hashes or {},
            sealed=draft.sealed,
        ),
    )
    period, standing = ctx.period, ctx.standing
    stamp = datetime(calculation.as_of.year, calculation.as_of.month, calculation.as_of.day)
    return workbook_bytes(
        sheets,
        stamp=stamp,
        creator=f"fundcalc {__version__}",
        title=f"{rules.fund_name} — {month_name(period)} — {standing.label}",
        subject=f"{month_name(period)}: {standing.label}",
        keywords=f"{standing.kind}, {period}",
    )


# --- Samenvatting ---


def summary_sheet(
    ctx: Context,
    rules: Rules,
    months: Sequence[MonthFigures],
    findings: pl.DataFrame,
    corrections: Sequence[StatementRow],
    *,
    opening_reserve: OpeningReserve | None = None,
    invoices: Sequence[InvoiceCheck] | None = None,
) -> Sheet:
    """Samenvatting: the month, the year to date and the year-end forecast, by section;
    with `invoices`, the month's invoiced and approved totals too."""
    m, y = months[-1], add_months(months)
    f = forecast(rules, months)
    exceptions = findings.filter(pl.col("kind") == EXCEPTION).height
    warnings = findings.filter(pl.col("kind") == WARNING).height
    correction_total = sum(row.amount_cents for row in corrections)
    periods_corrected = len({row.for_period for row in corrections})

    def money(label: str, month: int, ytd: int, year: int | None = None, note: str = "") -> Row:
        return Row((label, Euro(month), Euro(ytd), None if year is None else Euro(year), note))

    def total(label: str, month: int, ytd: int, year: int | None = None, note: str = "") -> Row:
        return Row(money(label, month, ytd, year, note).cells, TOTAL)

    def section(label: str) -> Row:
        return Row((label,), SECTION)

    standing = ctx.standing
    rows = (
        section("Wat deze cijfers zijn"),
        Row(
            ("Status van deze maand", standing.label, None, None, standing.explanation(ctx.period))
        ),
        Row(
            (
                f"Afgesloten maanden {ctx.period.year}",
                months_text([p for p in standing.closed if p.year == ctx.period.year]),
                None,
                None,
                "definitief; de andere maanden kunnen nog veranderen",
            )
        ),
        section("Fonds"),
        money(
            "Begroting: deel van de periode",
            m.budget_part,
            y.budget_part,
            rules.budget_for(ctx.period.year),
            "jaarbegroting verdeeld over de maanden",
        ),
        money(
            "Bijdragen centrumgemeenten",
            m.contributions,
            y.contributions,
            f.contributions,
            "naar de verdeelsleutel",
        ),
        Row(
            (
                "Bezette dagen fondspercelen",
                m.fund_occupied_days,
                y.fund_occupied_days,
                None,
                "dagen binnen de voorwaarden van een fondsperceel, ook afgewezen dagen (geen"
                " lid, geen centrumgemeente); zonder dagen buiten de voorwaarden of op een"
                " onbekend perceel (zie Aanbieders en percelen)",
            )
        ),
        Row(
            (
                "Bezettingsgraad fondspercelen",
                percent(m.occupancy),
                percent(y.occupancy),
                None,
                "bezette dagen per gecontracteerde plaatsdag",
            )
        ),
        money(
            "Dagkosten",
            m.fund_day_costs,
            y.fund_day_costs,
            None,
            "in rekening gebrachte dagen × dagtarief",
        ),
        money(
            "Beschikbaarheidsvergoeding",
            m.fund_availability,
            y.fund_availability,
            None,
            "plaatsen × tarief × dagen, bezet of niet",
        ),
        total("Kosten van het fonds", m.fund_costs, y.fund_costs, f.fund_costs),
        total(
            "Saldo: bijdragen − kosten",
            m.balance,
            y.balance,
            f.balance,
            "negatief: de bijdragen dekken de kosten niet",
        ),
        *_settlement_forecast(rules, f, opening_reserve),
        section("Verdeling van de kosten over de centrumgemeenten"),
        money("Herkomstdeel (eigen cliënten)", m.origin, y.origin, None, "zie Centrumgemeenten"),
        money("Verdeelsleutel", m.key, y.key, None, "de rest van de kosten, naar de sleutel"),
        section("Justitie (COSM in de bedenktijd)"),
        Row(("Dagen in de bedenktijd", m.justice_days, y.justice_days, None, "")),
        money("Dagkosten in de bedenktijd", m.justice_day_costs, y.justice_day_costs),
        money("Beschikbaarheid COSM-percelen", m.cosm_availability, y.cosm_availability),
        total("Te betalen door Justitie", m.justice, y.justice, None, "zie Justitie (COSM)"),
        section("Rechtstreeks door centrumgemeenten (COSM na de bedenktijd)"),
        Row(("Dagen na de bedenktijd", m.municipal_days, y.municipal_days, None, "")),
        total("Kosten na de bedenktijd", m.municipal, y.municipal),
        section("Correcties en uitzonderingen"),
        Row(
            (
                "Correcties op eerdere maanden (saldo)",
                Euro(correction_total),
                None,
                None,
                f"{counted(len(corrections), 'regel', 'regels')} voor"
                f" {counted(periods_corrected, 'maand', 'maanden')}; zie Correcties"
                if corrections
                else "geen",
            )
        ),
        Row(("Uitzonderingen", exceptions, None, None, "zie Uitzonderingen")),
        Row(("Waarschuwingen", warnings, None, None, "")),
        Row(("Afgewezen dagen", m.rejected_days, y.rejected_days, None, "kosten niets")),
        *(() if invoices is None else invoice_summary_rows(invoices)),
    )
    note = (
        f"Verwachting jaareinde {f.year}: "
        + (
            "de berekende maand"
            if f.months_known == 1
            else f"de {f.months_known} berekende maanden"  # more than one: always a plural
        )
        + " plus, voor elke resterende maand, de gemiddelde maandkosten; de bijdragen volgen de"
        " begroting."
    )
    table = Table(
        ("Onderdeel", ctx.month, ctx.ytd, f"Verwachting jaareinde {f.year}", "Toelichting"),
        rows,
        note=note,
    )
    return Sheet(
        "Samenvatting",
        ctx.title("Samenvatting"),
        ctx.subtitle(
            f"De maand, het jaar tot en met {MONTHS[ctx.period.month - 1]} en een verwachting"
            " voor het jaareinde bij het huidige tempo."
        ),
        (table,),
        widths={0: 44, 4: 48},
    )


def _settlement_forecast(
    rules: Rules, f: Forecast, opening: OpeningReserve | None
) -> tuple[Row, ...]:
    """Rows of the summary: the expected year result through the reserve (§9)."""
    if opening is None:
        return ()
    head = Row((f"Jaarafrekening {f.year} (verwachting)",), SECTION)
    reserve = reserve_forecast(rules, f, opening)
    if reserve is None:
        return (head, Row(("Geen [[settlement]] in de regels voor dit jaar", None, None, None)))
    source = (
        f"eindstand jaarafrekening {opening.year}"
        if opening.year is not None
        else "uit de regels (fund.opening_reserve)"
    )

    def row(label: str, cents: int, note: str, kind: str = BODY) -> Row:
        return Row((label, None, None, Euro(cents), note), kind)

    return (
        head,
        row("Verwacht resultaat van het jaar", reserve.result, "saldo bij het huidige tempo"),
        row("Egalisatiereserve begin van het jaar", reserve.opening.cents, source),
        row(
            "Vangt de reserve op: toevoeging (+) of onttrekking (−)",
            reserve.to_reserve,
            f"tot het plafond van € {reserve.cap // 100:,}".replace(",", ".") + " en niet onder 0",
        ),
        row("Eindstand reserve", reserve.closing, ""),
        row(
            "Af te rekenen met de leden",
            reserve.settled,
            "positief: terug naar de leden; negatief: de leden betalen bij"
            f" ({'naar eigen saldo' if reserve.method == 'balance' else 'naar de sleutel'})",
            TOTAL,
        ),
    )


# --- Centrumgemeenten ---


def centrumgemeenten_sheet(
    ctx: Context, centrumgemeenten: Sequence[CentrumgemeenteFigures]
) -> Sheet:
    """Centrumgemeenten: per payer every statement item, what was charged and the balance."""
    month, ytd = short_month(ctx.period), ctx.ytd

    def cells(items: dict[str, int]) -> tuple[CellValue, ...]:
        return tuple(
            Euro(amount)
            for amount in (
                items[CONTRIBUTION],
                items[ORIGIN],
                items[KEY],
                CentrumgemeenteFigures.charged(items),
                CentrumgemeenteFigures.balance(items),
                items[MUNICIPAL_ITEM],
            )
        )

    def row(c: CentrumgemeenteFigures, code: str, name: str, kind: str = BODY) -> Row:
        # The code and the name again before the year to date: it is printed on a page
        # of its own (`column_break`), and read there without the month's page beside it.
        return Row((code, name, *cells(c.month), code, name, *cells(c.ytd)), kind)

    rows = [
        row(c, c.code, c.name if c.member else f"{c.name} (geen lid)") for c in centrumgemeenten
    ]
    items = (CONTRIBUTION, ORIGIN, KEY, MUNICIPAL_ITEM)
    month_sum = {item: sum(c.month[item] for c in centrumgemeenten) for item in items}
    ytd_sum = {item: sum(c.ytd[item] for c in centrumgemeenten) for item in items}
    rows.append(row(CentrumgemeenteFigures("", "", True, month_sum, ytd_sum), "Totaal", "", TOTAL))
    names = (
        "Bijdrage",
        "Herkomstdeel",
        "Verdeelsleutel",
        "Ten laste",
        "Saldo",
        "COSM na bedenktijd",
    )
    table = Table(
        tuple(
            column
            for when in (month, ytd)
            for column in ("Code", "Centrumgemeente", *(f"{name} {when}" for name in names))
        ),
        tuple(rows),
        note="Ten laste = herkomstdeel + verdeelsleutel. Saldo = bijdrage − ten laste"
        " (positief: meer betaald dan gebruikt). COSM na bedenktijd betaalt de"
        " centrumgemeente rechtstreeks, buiten het fonds.",
    )
    return Sheet(
        "Centrumgemeenten",
        ctx.title("Centrumgemeenten"),
        ctx.subtitle(
            f"Per lid van het fonds: bijdrage, wat ten laste kwam en het saldo; de maand en {ytd}."
        ),
        (table,),
        # Fourteen columns of euros on one page print at about 6 points: the month on
        # one page, the year to date on the next, each with the code and the name.
        column_break=8,
    )


# --- Verloop ---


def trend_sheet(ctx: Context, months: Sequence[MonthFigures]) -> Sheet:
    """Verloop: one row per calculated month of the year, with a chart of it."""
    rows: list[Row] = []
    cumulative = 0
    for m in months:
        cumulative += m.balance
        rows.append(
            Row(
                (
                    short_month(m.period),
                    Euro(m.contributions),
                    Euro(m.fund_costs),
                    percent(m.occupancy),
                    Euro(m.fund_day_costs),
                    Euro(m.fund_availability),
                    Euro(m.balance),
                    Euro(cumulative),
                    m.fund_occupied_days,
                    Euro(m.justice),
                    Euro(m.municipal),
                )
            )
        )
    y = add_months(months)
    rows.append(
        Row(
            (
                "Totaal",
                Euro(y.contributions),
                Euro(y.fund_costs),
                percent(y.occupancy),
                Euro(y.fund_day_costs),
                Euro(y.fund_availability),
                Euro(y.balance),
                None,
                y.fund_occupied_days,
                Euro(y.justice),
                Euro(y.municipal),
            ),
            TOTAL,
        )
    )
    table = Table(
        (
            "Maand",
            "Bijdragen",
            "Kosten fonds",
            "Bezettingsgraad",
            "Dagkosten",
            "Beschikbaarheid",
            "Saldo",
            "Saldo cumulatief",
            "Bezette dagen fonds",
            "Justitie",
            "COSM na bedenktijd",
        ),
        tuple(rows),
    )
    return Sheet(
        "Verloop",
        ctx.title("Verloop"),
        ctx.subtitle(f"Het fonds per maand, {ctx.ytd}: bijdragen, kosten en bezetting."),
        (table,),
        chart=ChartSpec(
            title=f"Bijdragen en kosten van het fonds, {ctx.ytd}",
            category=0,
            bars=(1, 2),
            line=3,
            line_axis="Bezettingsgraad",
        ),
    )


# --- Correcties ---

#: The mark of a correction for a month closed with other software, and of the others.
CODE_CHANGE = "andere software: kan uit de codewijziging komen"
DATA_CHANGE = "gegevens of regels"


def corrections_sheet(
    ctx: Context,
    rules: Rules,
    corrections: Sequence[StatementRow],
    other_software: Collection[str] = (),
) -> Sheet:
    """Correcties: rows booked in this period for earlier ones, per period and payer.

    The corrections for a month closed with other software than this run's
    (`other_software`) may come from the change of code rather than from the
    data: they get a column that says so (only when there are such).
    """
    names = rules.municipalities.names()
    figures = correction_figures(corrections)
    marked = any(c.for_period in other_software for c in figures)
    rows = [
        Row(
            (
                c.for_period,
                c.payer,
                "Justitie" if c.payer == "JUSTICE" else names.get(c.payer, ""),
                *(Euro(c.items[item]) for item in ITEMS),
                Euro(c.total),
                *(
                    (CODE_CHANGE if c.for_period in other_software else DATA_CHANGE,)
                    if marked
                    else ()
                ),
            )
        )
        for c in figures
    ]
    if figures:
        rows.append(
            Row(
                (
                    "Totaal",
                    "",
                    "",
                    *(Euro(sum(c.items[item] for c in figures)) for item in ITEMS),
                    Euro(sum(c.total for c in figures)),
                    *(("",) if marked else ()),
                ),
                TOTAL,
            )
        )
    table = Table(
        (
            "Voor periode",
            "Betaler",
            "Naam",
            *(ITEM_NAMES[item] for item in ITEMS),
            "Totaal",
            *(("Oorzaak",) if marked else ()),
        ),
        tuple(rows),
        note=(
            "Correcties: het verschil tussen de herberekening van een gesloten maand en wat"
            " daarvoor al was afgerekend, geboekt in deze maand."
            + (
                " Oorzaak: een maand die met andere software (een andere versie van fundcalc of"
                " van de berekening) is afgesloten dan deze, kan correcties krijgen door die"
                " codewijziging in plaats van door nagekomen gegevens; fundcalc replay --period"
                " JJJJ-MM laat zien wat de codewijziging zelf verandert."
                if marked
                else ""
            )
        )
        if figures
        else "Geen correcties op eerdere, gesloten maanden in deze periode.",
    )
    return Sheet(
        "Correcties",
        ctx.title("Correcties"),
        ctx.subtitle("Correcties op eerdere maanden, per maand en betaler."),
        (table,),
    )
