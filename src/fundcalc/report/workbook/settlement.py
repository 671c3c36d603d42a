"""settlement.xlsx: the year-end settlement (*jaarafrekening*) for the committee and the
finance departments of the members, in Dutch.

Sheets: *Jaarrekening fonds* (budget, contributions, the fund's costs by kind,
the result, the reserve from opening to closing, the amount settled), *Per
centrumgemeente* (one row per member, and apart from it the direct COSM
charges of the year), one printable page per member (its twelve months, the
corrections booked in the year, the final amount and its share of the
reserve), *Justitie* (the year per COSM lot), *Verloop* (the twelve months,
with a chart) and *Verantwoording* (the archived statements and rules with
their SHA-256, the fundcalc version). Every figure is a stored value; no client
identifier is read; the same sources give the same bytes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from fundcalc import __version__
from fundcalc.base.money import format_cents, split_largest_remainder
from fundcalc.base.period import Period
from fundcalc.core.allocation import (
    CONTRIBUTION,
    JUSTICE_ITEM,
    KEY,
    MUNICIPAL_ITEM,
    ORIGIN,
    StatementRow,
)
from fundcalc.core.settlement import MemberSettlement, OpeningReserve, YearSettlement
from fundcalc.report.dutch import MONTHS, short_month
from fundcalc.report.sheets import (
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

#: The sheets before and after the members' pages.
SHEETS_BEFORE = ("Jaarrekening fonds", "Per centrumgemeente")
SHEETS_AFTER = ("Justitie", "Verloop", "Verantwoording")
METHOD_NAMES = {
    "balance": "naar eigen saldo: elk lid krijgt zijn saldo terug (of betaalt het bij),"
    " minus zijn aandeel in de reserve",
    "key": "naar de verdeelsleutel: het af te rekenen bedrag wordt verdeeld naar de sleutel",
}
_ITEMS = (CONTRIBUTION, ORIGIN, KEY, MUNICIPAL_ITEM)
#: On a member's page: origin and key booked in a month for an earlier month.
_CORRECTION = "correction"


@dataclass(frozen=True)
class JusticeLot:
    """A COSM lot's year for Justice: reflection days and their cost, and availability."""

    lot_id: str
    provider: str
    days: int
    day_cents: int
    availability_cents: int

    @property
    def total(self) -> int:
        return self.day_cents + self.availability_cents


@dataclass(frozen=True)
class YearSources:
    """What the settlement's workbook shows besides the settlement itself, all archived.

    `statements` are the twelve closed statements by month; `month_totals` the
    totals the close records hold (day costs and availability, as closed);
    `closes` per month: period, as-of date, statement SHA-256, record SHA-256.
    """

    fund: str
    year: int
    budget: int | None
    statements: Mapping[Period, tuple[StatementRow, ...]]
    month_totals: Mapping[Period, Mapping[str, int]]
    as_of: Mapping[Period, date]
    justice_lots: tuple[JusticeLot, ...]
    names: Mapping[str, str]
    closes: tuple[tuple[str, date, str, str], ...]
    rules_files: tuple[tuple[str, str], ...]
    opening_from: str
    output_hashes: Mapping[str, str]
    #: The seal of the settlement's record; None for one of format 1, rendered as it was.
    seal: str | None = None

    @property
    def stand(self) -> date:
        """The latest as-of date of the twelve closes: where the year's figures stand."""
        return max(self.as_of.values())

    def title(self, what: str) -> str:
        return f"{self.fund} — {what} — {self.year}"

    def subtitle(self, shows: str) -> str:
        return (
            f"{shows} Uit de twaalf afgesloten maanden van {self.year};"
            f" stand van de gegevens per {self.stand.strftime('%d-%m-%Y')}."
        )


def opening_in_dutch(opening: OpeningReserve) -> str:
    """Where the opening reserve came from, in the committee's words."""
    if opening.year is None:
        return "de regels (fund.opening_reserve): nog geen eerder jaar afgerekend"
    return f"de eindstand van de jaarafrekening {opening.year}"


def render_settlement_book(sources: YearSources, settlement: YearSettlement) -> bytes:
    """settlement.xlsx as bytes: the same sources and settlement give the same bytes."""
    booked = _booked(sources.statements)
    by_payer: dict[str, list[StatementRow]] = defaultdict(list)
    for period in sorted(sources.statements):
        for row in sources.statements[period]:
            by_payer[row.payer].append(row)
    sheets = (
        fund_sheet(sources, settlement),
        members_sheet(sources, settlement, booked),
        *(member_sheet(sources, settlement, m, by_payer[m.code]) for m in settlement.members),
        justice_sheet(sources, booked),
        trend_sheet(sources),
        accounts_sheet(sources, settlement),
    )
    stamp = datetime(sources.stand.year, sources.stand.month, sources.stand.day)
    return workbook_bytes(
        sheets,
        stamp=stamp,
        creator=f"fundcalc {__version__}",
        title=f"{sources.fund} — Jaarafrekening {sources.year}",
    )


def _booked(statements: Mapping[Period, Sequence[StatementRow]]) -> dict[str, dict[str, int]]:
    """Per payer and item: everything booked in the year's statements."""
    sums: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for rows in statements.values():
        for row in rows:
            sums[row.payer][row.item] += row.amount_cents
    return sums


def _name(sources: YearSources, code: str) -> str:
    return sources.names.get(code, "")


def _section(label: str) -> Row:
    return Row((label,), SECTION)


# --- Jaarrekening fonds ---


def fund_sheet(sources: YearSources, s: YearSettlement) -> Sheet:
    """Jaarrekening fonds: budget, contributions, costs by kind, result, reserve, settled."""
    contributions = sum(m.contributions for m in s.members)
    charged = sum(m.charged for m in s.members)
    day_costs = sum(t.get("fund_day_costs", 0) for t in sources.month_totals.values())
    available = sum(t.get("fund_availability", 0) for t in sources.month_totals.values())
    back = sum(m.settlement for m in s.members if m.settlement > 0)
    paying = -sum(m.settlement for m in s.members if m.settlement < 0)
    rows = (
        _section("Inkomsten"),
        Row(
            (
                f"Begroting {s.year}",
                None if sources.budget is None else Euro(sources.budget),
                "de jaarbegroting, als voorschot verdeeld over de maanden",
            )
        ),
        Row(
            (
                "Bijdragen centrumgemeenten (voorschotten)",
                Euro(contributions),
                "naar de verdeelsleutel, inclusief correcties",
            )
        ),
        _section("Kosten van het fonds"),
        Row(("Dagkosten", Euro(day_costs), "de twaalf maanden zoals afgesloten")),
        Row(("Beschikbaarheidsvergoeding", Euro(available), "de twaalf maanden zoals afgesloten")),
        Row(
            (
                "Correcties op eerdere maanden",
                Euro(charged - day_costs - available),
                f"geboekt in {s.year}, ook voor maanden van eerdere jaren",
            )
        ),
        Row(
            ("Kosten ten laste van de leden", Euro(charged), "herkomstdeel + verdeelsleutel"),
            TOTAL,
        ),
        Row(("  waarvan herkomstdeel", Euro(sum(m.origin for m in s.members)), "eigen cliënten")),
        Row(("  waarvan verdeelsleutel", Euro(sum(m.key for m in s.members)), "naar de sleutel")),
        Row(
            (
                "Resultaat: bijdragen − kosten",
                Euro(s.result),
                "positief: de leden betaalden meer dan de kosten",
            ),
            TOTAL,
        ),
        _section("Egalisatiereserve"),
        Row(("Beginstand", Euro(s.opening_reserve), sources.opening_from)),
        Row(
            (
                "Toevoeging (+) of onttrekking (−)",
                Euro(s.to_reserve),
                "het resultaat, zo ver de reserve tussen 0 en het plafond blijft",
            )
        ),
        Row(("Eindstand", Euro(s.closing_reserve), ""), TOTAL),
        Row(("Plafond", Euro(s.reserve_cap), "het meeste dat de reserve mag houden")),
        _section("Afrekening met de leden"),
        Row(
            (
                "Af te rekenen: resultaat − toevoeging reserve",
                Euro(s.settled),
                "positief: het fonds betaalt terug; negatief: de leden betalen bij",
            ),
            TOTAL,
        ),
        Row(("  terug te betalen aan leden", Euro(back), "")),
        Row(("  bij te betalen door leden", Euro(paying), "")),
        Row(("Methode", None, METHOD_NAMES[s.method])),
    )
    table = Table(("Onderdeel", "Bedrag", "Toelichting"), rows)
    return Sheet(
        "Jaarrekening fonds",
        sources.title("Jaarrekening fonds"),
        sources.subtitle("De rekening van het fonds over het jaar, de reserve en de afrekening."),
        (table,),
        widths={0: 46, 1: 24, 2: 70},
    )


# --- Per centrumgemeente ---


def members_sheet(
    sources: YearSources, s: YearSettlement, booked: Mapping[str, Mapping[str, int]]
) -> Sheet:
    """Per centrumgemeente: every member's year, and apart from it the direct COSM charges."""

    def cells(m: MemberSettlement) -> tuple[CellValue, ...]:
        return (
            Euro(m.contributions),
            Euro(m.origin),
            Euro(m.key),
            Euro(m.charged),
            Euro(m.net),
            Euro(m.reserve),
            Euro(max(m.settlement, 0)),
            Euro(max(-m.settlement, 0)),
        )

    rows = [Row((m.code, _name(sources, m.code), *cells(m))) for m in s.members]
    total = MemberSettlement(
        "",
        sum(m.contributions for m in s.members),
        sum(m.origin for m in s.members),
        sum(m.key for m in s.members),
        sum(m.reserve for m in s.members),
        0,
    )
    back = sum(max(m.settlement, 0) for m in s.members)
    paying = sum(max(-m.settlement, 0) for m in s.members)
    rows.append(Row(("Totaal", "", *cells(total)[:6], Euro(back), Euro(paying)), TOTAL))
    table = Table(
        (
            "Code",
            "Centrumgemeente",
            "Bijdragen",
            "Herkomstdeel",
            "Verdeelsleutel",
            "Ten laste",
            "Saldo",
            "Aandeel reserve",
            "Te ontvangen",
            "Te betalen",
        ),
        tuple(rows),
        caption="Leden van het fonds",
        note="Ten laste = herkomstdeel + verdeelsleutel; saldo = bijdragen − ten laste. Aandeel"
        " reserve: de toevoeging aan (of onttrekking uit) de egalisatiereserve naar de sleutel"
        " van 1 december. Te ontvangen: het fonds betaalt terug; te betalen: het lid betaalt bij.",
    )
    direct = sorted(
        (code, items.get(MUNICIPAL_ITEM, 0))
        for code, items in booked.items()
        if items.get(MUNICIPAL_ITEM, 0)
    )
    member_codes = {m.code for m in s.members}
    direct_rows = [
        Row((code, _name(sources, code), Euro(amount), code in member_codes))
        for code, amount in direct
    ]
    if not direct_rows:
        direct_rows.append(Row(("geen", f"geen COSM na de bedenktijd in {s.year}")))
    direct_rows.append(Row(("Totaal", "", Euro(sum(a for _, a in direct)), None), TOTAL))
    apart = Table(
        ("Code", "Centrumgemeente", "COSM na bedenktijd", "Lid"),
        tuple(direct_rows),
        caption="Apart: rechtstreeks betaald, buiten het fonds",
        note="COSM-verblijf na de bedenktijd betaalt de centrumgemeente rechtstreeks; het telt"
        " niet mee in de afrekening van het fonds.",
    )
    return Sheet(
        "Per centrumgemeente",
        sources.title("Per centrumgemeente"),
        sources.subtitle("Per lid: bijdragen, ten laste, saldo, reserve en de afrekening."),
        (table, apart),
    )


# --- a member's page ---


def member_sheet(
    sources: YearSources,
    s: YearSettlement,
    m: MemberSettlement,
    rows: Sequence[StatementRow],
) -> Sheet:
    """One member's statement of the year (*afrekening*), on one printable page.

    `rows` are the member's rows of the year's statements, month by month.
    """
    name = _name(sources, m.code)
    months: list[Row] = []
    year = dict.fromkeys((*_ITEMS, _CORRECTION), 0)
    corrected: dict[str, int] = {}
    of_month: dict[str, list[StatementRow]] = defaultdict(list)
    for row in rows:
        of_month[row.period].append(row)
    for period in sorted(sources.statements):
        items = dict.fromkeys((*_ITEMS, _CORRECTION), 0)
        for row in of_month[str(period)]:
            if row.item not in items:
                continue
            if row.for_period != row.period and row.item in (ORIGIN, KEY):
                items[_CORRECTION] += row.amount_cents
                corrected[row.for_period] = corrected.get(row.for_period, 0) + row.amount_cents
            else:
                items[row.item] += row.amount_cents
        for item, amount in items.items():
            year[item] += amount
        months.append(Row((MONTHS[period.month - 1], *_month_cells(items))))
    months.append(Row(("Totaal", *_month_cells(year)), TOTAL))
    if corrected:
        listed = "; ".join(
            f"{short_month(Period.parse(q))} {euro_text(c)}" for q, c in sorted(corrected.items())
        )
        corrections_note = f"Correcties geboekt in {s.year}, per gecorrigeerde maand: {listed}."
    else:
        corrections_note = f"Geen correcties geboekt in {s.year}."
    month_table = Table(
        (
            "Maand",
            "Bijdrage",
            "Herkomstdeel",
            "Verdeelsleutel",
            "Correcties",
            "Ten laste",
            "Saldo",
            "COSM na bedenktijd",
        ),
        tuple(months),
        caption=f"De maanden van {s.year}, zoals afgesloten",
        note="Correcties: herkomstdeel en verdeelsleutel van eerdere maanden, geboekt in deze"
        " maand (zij tellen in het jaar waarin zij zijn geboekt). Ten laste = herkomstdeel +"
        " verdeelsleutel + correcties; saldo = bijdrage − ten laste. COSM na bedenktijd betaalt"
        f" de centrumgemeente rechtstreeks, buiten de afrekening. {corrections_note}",
    )
    share = _closing_share(s, m.code)
    outcome = (
        ("Te ontvangen van het fonds", Euro(m.settlement))
        if m.settlement >= 0
        else ("Te betalen aan het fonds", Euro(-m.settlement))
    )
    summary = Table(
        ("Afrekening", "Bedrag"),
        (
            Row((f"Bijdragen {s.year} (voorschotten)", Euro(m.contributions))),
            Row(("Ten laste (herkomstdeel + verdeelsleutel)", Euro(m.charged))),
            Row(("Saldo: bijdragen − ten laste", Euro(m.net))),
            Row(("Aandeel toevoeging (+) / onttrekking (−) reserve", Euro(m.reserve))),
            Row(outcome, TOTAL),
            Row(("Aandeel in de egalisatiereserve na afrekening", share)),
        ),
        caption=f"Afrekening {s.year}",
        note=f"Methode: {METHOD_NAMES[s.method]}. Het aandeel in de reserve is de eindstand"
        " verdeeld naar de sleutel van 1 december (ter informatie).",
    )
    return Sheet(
        sheet_name(m.code, name),
        f"Jaarafrekening {s.year} — {name} ({m.code})"
        if name
        else f"Jaarafrekening {s.year} — {m.code}",
        sources.subtitle(f"{sources.fund}: de afrekening van {name or m.code} over {s.year}."),
        (summary, month_table),
        widths={0: 50},
        header_table=None,
        one_page=True,
    )


def euro_text(cents: int) -> str:
    """An amount as a Dutch reader writes it in a sentence: `€ -1.234,56`."""
    whole, fraction = format_cents(abs(cents)).split(".")
    grouped = f"{int(whole):,}".replace(",", ".")
    return f"€ {'-' if cents < 0 else ''}{grouped},{fraction}"


def sheet_name(code: str, name: str) -> str:
    """A member's sheet name: code and name, within Excel's 31 characters and its alphabet."""
    text = "".join(ch for ch in f"{code} {name}" if ch not in "[]:*?/\\")
    return text[:31].strip().strip("'")


def _month_cells(items: Mapping[str, int]) -> tuple[CellValue, ...]:
    """A member's month as booked: its own origin and key, the corrections apart."""
    charged = items[ORIGIN] + items[KEY] + items[_CORRECTION]
    return (
        Euro(items[CONTRIBUTION]),
        Euro(items[ORIGIN]),
        Euro(items[KEY]),
        Euro(items[_CORRECTION]),
        Euro(charged),
        Euro(items[CONTRIBUTION] - charged),
        Euro(items[MUNICIPAL_ITEM]),
    )


def _closing_share(s: YearSettlement, code: str) -> CellValue:
    """The member's part of the closing reserve by the key of 1 December (for information)."""
    if code not in s.key.weights:
        return Euro(0)
    return Euro(split_largest_remainder(s.closing_reserve, s.key.weights)[code])


# --- Justitie ---


def justice_sheet(sources: YearSources, booked: Mapping[str, Mapping[str, int]]) -> Sheet:
    """Justitie: per COSM lot the year's reflection days, their cost and availability."""
    lots = sources.justice_lots
    rows = [
        Row(
            (
                lot.lot_id,
                lot.provider,
                lot.days,
                Euro(lot.day_cents),
                Euro(lot.availability_cents),
                Euro(lot.total),
            )
        )
        for lot in lots
    ]
    total = sum(items.get(JUSTICE_ITEM, 0) for items in booked.values())
    by_lot = sum(lot.total for lot in lots)
    rows.append(
        Row(
            (
                "Correcties en verschillen",
                "correcties op eerdere maanden, geboekt in dit jaar",
                None,
                None,
                None,
                Euro(total - by_lot),
            )
        )
    )
    rows.append(
        Row(
            (
                "Totaal",
                "",
                sum(lot.days for lot in lots),
                Euro(sum(lot.day_cents for lot in lots)),
                Euro(sum(lot.availability_cents for lot in lots)),
                Euro(total),
            ),
            TOTAL,
        )
    )
    table = Table(
        ("Perceel", "Aanbieder", "Dagen in bedenktijd", "Dagkosten", "Beschikbaarheid", "Totaal"),
        tuple(rows),
        note="Justitie betaalt de COSM-dagen in de bedenktijd en de beschikbaarheid van de"
        " COSM-percelen, buiten het fonds. Het totaal is dat van de twaalf afgesloten"
        " overzichten.",
    )
    return Sheet(
        "Justitie",
        sources.title("Justitie"),
        sources.subtitle("Wat Justitie over het jaar betaalt, per COSM-perceel."),
        (table,),
    )


# --- Verloop ---


def trend_sheet(sources: YearSources) -> Sheet:
    """Verloop: the twelve months as booked (corrections in the month they were booked)."""
    rows: list[Row] = []
    cumulative = 0
    sums = dict.fromkeys((*_ITEMS, JUSTICE_ITEM), 0)
    for period in sorted(sources.statements):
        items = dict.fromkeys((*_ITEMS, JUSTICE_ITEM), 0)
        for row in sources.statements[period]:
            if row.item in items:
                items[row.item] += row.amount_cents
        costs = items[ORIGIN] + items[KEY]
        cumulative += items[CONTRIBUTION] - costs
        for item, amount in items.items():
            sums[item] += amount
        rows.append(
            Row(
                (
                    short_month(period),
                    Euro(items[CONTRIBUTION]),
                    Euro(costs),
                    Euro(items[CONTRIBUTION] - costs),
                    Euro(cumulative),
                    Euro(items[JUSTICE_ITEM]),
                    Euro(items[MUNICIPAL_ITEM]),
                )
            )
        )
    costs = sums[ORIGIN] + sums[KEY]
    rows.append(
        Row(
            (
                "Totaal",
                Euro(sums[CONTRIBUTION]),
                Euro(costs),
                Euro(sums[CONTRIBUTION] - costs),
                None,
                Euro(sums[JUSTICE_ITEM]),
                Euro(sums[MUNICIPAL_ITEM]),
            ),
            TOTAL,
        )
    )
    table = Table(
        (
            "Maand",
            "Bijdragen",
            "Kosten fonds",
            "Resultaat",
            "Resultaat cumulatief",
            "Justitie",
            "COSM na bedenktijd",
        ),
        tuple(rows),
        note="Per maand zoals afgesloten, correcties in de maand waarin zij zijn geboekt;"
        " kosten fonds = herkomstdeel + verdeelsleutel.",
    )
    return Sheet(
        "Verloop",
        sources.title("Verloop"),
        sources.subtitle("Het fonds per maand: bijdragen, kosten en het resultaat."),
        (table,),
        chart=ChartSpec(
            title=f"Bijdragen en kosten van het fonds, {sources.year}", category=0, bars=(1, 2)
        ),
    )


# --- Verantwoording ---


def accounts_sheet(sources: YearSources, s: YearSettlement) -> Sheet:
    """Verantwoording: what the settlement read (with SHA-256), how, and its checks."""
    made = Table(
        ("Onderdeel", "Waarde"),
        (
            Row(("fundcalc", __version__)),
            Row(("Jaar", str(s.year))),
            *(
                ()
                if sources.seal is None
                else (Row(("Zegel van deze jaarafrekening", sources.seal)),)
            ),
            Row(("Methode van afrekening", s.method)),
            Row(("Plafond egalisatiereserve", Euro(s.reserve_cap))),
            Row(("Verdeelsleutel geldig vanaf", s.key.valid_from)),
            Row(("Beginstand reserve uit", sources.opening_from)),
            *(
                Row((f"SHA-256 {name}", sha256))
                for name, sha256 in sorted(sources.output_hashes.items())
            ),
        ),
        caption="Hoe de afrekening is gemaakt",
        align_left=True,
    )
    rules = Table(
        ("Bestand", "SHA-256"),
        tuple(Row((name, sha256)) for name, sha256 in sources.rules_files),
        caption="Rekenregels (gearchiveerd met de afrekening)",
        align_left=True,
    )
    closes = Table(
        (
            "Maand",
            "SHA-256 statement.csv",
            "SHA-256 afsluiting" if sources.seal is None else "Zegel afsluiting",
            "Stand per",
        ),
        tuple(Row((period, sha, record, as_of)) for period, as_of, sha, record in sources.closes),
        caption="De twaalf afgesloten maanden (archief)",
        align_left=True,
    )
    checks = Table(
        ("Controle", "Klopt"),
        tuple(Row((_CHECK_NAMES.get(name, name), holds)) for name, holds in s.check()),
        caption="Controles",
        align_left=True,
    )
    return Sheet(
        "Verantwoording",
        sources.title("Verantwoording"),
        sources.subtitle(
            "Waaruit de afrekening is gemaakt: alleen de gearchiveerde overzichten van de"
            " afgesloten maanden, nooit het logboek; fundcalc replay --year bewijst haar."
        ),
        (made, rules, closes, checks),
        widths={0: 50, 1: 68, 2: 68, 3: 12},
        header_table=None,
    )


_CHECK_NAMES = {
    "sum_net_is_result": "Som van de saldi = resultaat",
    "sum_settlement_is_result_minus_to_reserve": "Som van de afrekening = resultaat − toevoeging",
    "sum_reserve_is_to_reserve": "Som van de aandelen reserve = toevoeging",
    "closing_reserve_within_cap": "Eindstand reserve tussen 0 en het plafond",
}
